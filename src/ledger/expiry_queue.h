// Private to the library: the ledger's active reservations in order of
// expiry, for the expiry sweep.
//
// The entries are candidates, not facts. The ledger pushes (expires_at, id)
// whenever a reservation becomes active or gets a new expiry, and never
// erases one when a reservation finishes: an entry is live only while its
// reservation is active with exactly that expiry, and whoever reads an entry
// checks that against the reservation table. Erasing from an ordered set cost
// a search and a rebalance on every fill, cancel and release; here those
// cost nothing, and the price is paid in memory, bounded below.
//
// Reservations are made with expiries that mostly ascend (now + a fixed
// lifetime), so entries that sort at or after the newest pushed one append
// to a deque; the few that do not (a shorter lifetime than the one before)
// go to an ordered set. Readers merge the two.
//
// Invariants:
//   - ascending_ and others_ are each sorted by (expires_at, reservation).
//   - Every live entry is held. Stale entries leave from the front once due
//     (drop_stale_due) or all at once (compact), which the owner calls when
//     stale ones outnumber live ones, so the queue holds at most about twice
//     the active reservations and each entry is examined O(1) times
//     amortized.
//
// Thread-safety: none (part of LedgerState).
#pragma once

#include <cstddef>
#include <deque>
#include <utility>

#include "absl/container/btree_set.h"
#include "absl/time/time.h"
#include "account/ids.h"

namespace account::internal {

class ExpiryQueue {
 public:
  struct Entry {
    absl::Time expires_at;
    ReservationId reservation;
    friend bool operator<(const Entry& a, const Entry& b) {
      return a.expires_at != b.expires_at ? a.expires_at < b.expires_at
                                          : a.reservation < b.reservation;
    }
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  size_t size() const { return ascending_.size() + others_.size(); }

  // Adds a candidate: `reservation` is active and expires at `expires_at`.
  void push(absl::Time expires_at, ReservationId reservation) {
    const Entry e{expires_at, reservation};
    if (ascending_.empty() || !(e < ascending_.back())) {
      ascending_.push_back(e);
    } else {
      others_.insert(e);
    }
  }

  // Calls f(entry) for every entry with expires_at <= now, by (expires_at,
  // reservation) ascending, live and stale alike.
  template <typename F>
  void for_each_due(absl::Time now, F&& f) const {
    auto a = ascending_.begin();
    auto o = others_.begin();
    while (true) {
      const bool a_due = a != ascending_.end() && a->expires_at <= now;
      const bool o_due = o != others_.end() && o->expires_at <= now;
      if (!a_due && !o_due) return;
      if (a_due && (!o_due || !(*o < *a))) {
        f(*a++);
      } else {
        f(*o++);
      }
    }
  }

  // Whether some entry with expires_at <= now is one live(entry) accepts.
  // Walks the due entries oldest first and stops at the first live one, so
  // it costs O(1) plus the stale entries ahead of it (apply drops those at
  // the front, so few wait there).
  template <typename Live>
  bool any_due(absl::Time now, Live&& live) const {
    bool found = false;
    auto a = ascending_.begin();
    auto o = others_.begin();
    while (!found) {
      const bool a_due = a != ascending_.end() && a->expires_at <= now;
      const bool o_due = o != others_.end() && o->expires_at <= now;
      if (!a_due && !o_due) break;
      found = (a_due && (!o_due || !(*o < *a))) ? live(*a++) : live(*o++);
    }
    return found;
  }

  // Removes due entries from the front, oldest first, while stale(entry)
  // says they are no longer live; stops at the first live one.
  template <typename Stale>
  void drop_stale_due(absl::Time now, Stale&& stale) {
    while (true) {
      const bool a_due = !ascending_.empty() && ascending_.front().expires_at <= now;
      const bool o_due = !others_.empty() && others_.begin()->expires_at <= now;
      if (!a_due && !o_due) return;
      if (a_due && (!o_due || !(*others_.begin() < ascending_.front()))) {
        if (!stale(ascending_.front())) return;
        ascending_.pop_front();
      } else {
        if (!stale(*others_.begin())) return;
        others_.erase(others_.begin());
      }
    }
  }

  // Removes every entry stale(entry) says is no longer live. O(size()).
  template <typename Stale>
  void compact(Stale&& stale) {
    std::deque<Entry> kept;
    for (const Entry& e : ascending_) {
      if (!stale(e)) kept.push_back(e);
    }
    ascending_ = std::move(kept);
    absl::erase_if(others_, [&](const Entry& e) { return stale(e); });
  }

 private:
  std::deque<Entry> ascending_;
  absl::btree_set<Entry> others_;
};

}  // namespace account::internal
