#include "journal_commands.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "account/journal_entry.h"
#include "account/ledger_snapshot.h"
#include "base/json_text.h"
#include "fmt/format.h"
#include "journal/chain_check.h"
#include "journal/checkpoint_codec.h"
#include "journal/entry_codec.h"
#include "journal/event_json.h"
#include "journal/journal_replay.h"
#include "journal/state_compare.h"
#include "journal/state_hash.h"
#include "text_table.h"

namespace account::cli {
namespace {

using internal::ChainCheck;
using internal::ChainChecker;
using internal::JournalReplay;

// A command's output and errors, as accountctl.cpp's Run writes them.
struct Printer {
  CliContext& ctx;

  void out(std::string_view text) const { std::fwrite(text.data(), 1, text.size(), ctx.out); }
  template <typename... T>
  void outf(fmt::format_string<T...> format, T&&... values) const {
    out(fmt::format(format, std::forward<T>(values)...));
  }
  template <typename... T>
  int fail(int code, fmt::format_string<T...> format, T&&... values) const {
    const std::string line =
        fmt::format("accountctl: {}\n", fmt::format(format, std::forward<T>(values)...));
    std::fwrite(line.data(), 1, line.size(), ctx.err);
    return code;
  }
  int fail(const absl::Status& status) const {
    return fail(exit_code_for(status), "{}", std::string(status.message()));
  }
};

std::string hex(const ChainHash& h) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

// --- events ------------------------------------------------------------------------------------

// SIGINT and SIGTERM end `events --follow` with exit 0 while it runs; the handlers it replaced
// are put back after. Setting the flag is all a handler may safely do.
volatile std::sig_atomic_t stop_signal = 0;
void on_stop_signal(int) { stop_signal = 1; }

class StopOnSignals {
 public:
  StopOnSignals() {
    stop_signal = 0;
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
  }
  ~StopOnSignals() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
  }
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

// Waits `poll` before the next look for new entries; false when a stop was asked instead. A
// signal is noticed within a slice, so that Ctrl-C does not wait out a long poll.
bool wait_for_next_poll(const CliContext& ctx, absl::Duration poll) {
  if (ctx.stop_following && ctx.stop_following()) return false;
  const absl::Duration slice = std::min(poll, absl::Milliseconds(50));
  for (absl::Duration waited; waited < poll; waited += slice) {
    if (stop_signal != 0) return false;
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(slice));
  }
  return stop_signal == 0;
}

// A load for the journal head alone: as few other rows as load() allows.
SnapshotRequest head_only() {
  return SnapshotRequest{.execution_retention = absl::ZeroDuration(),
                         .reservations_finished_since = absl::InfiniteFuture(),
                         .trades_per_account_max = 0,
                         .commits_follow = false};
}

// Nothing is stored after `since`: fine when `since` is the head; a cursor past the head belongs
// to another journal (or another store), which the caller should hear rather than wait on.
// nullopt when the cursor stands at the head.
std::optional<int> check_cursor(const Printer& p, Store& store, uint64_t since) {
  if (since == 0) return std::nullopt;
  absl::StatusOr<std::vector<JournalRecord>> at = store.journal(since - 1, 1);
  if (!at.ok()) return p.fail(at.status());
  if (!at->empty() && at->front().seq == since) return std::nullopt;
  absl::StatusOr<LedgerSnapshot> head = store.load(head_only());
  if (!head.ok()) return p.fail(head.status());
  if (head->journal_head.seq >= since) return std::nullopt;  // Committed in the meantime.
  return p.fail(kExitUsage,
                "--since {} is past the journal's head, seq {}: that cursor does not belong to "
                "this ledger's journal",
                since, head->journal_head.seq);
}

// Why `record` cannot follow seq `after`; `first` when it is the first entry the run read.
int out_of_sequence(const Printer& p, const JournalRecord& record, uint64_t after, bool first) {
  if (first && record.seq > after + 1) {
    return p.fail(kExitNotFound,
                  "the journal no longer holds the entries after seq {}: its first kept entry "
                  "is seq {} (start from --since {} or later)",
                  after, record.seq, record.seq - 1);
  }
  return p.fail(kExitFailed, "the store returned seq {} where seq {} should follow seq {}",
                record.seq, after + 1, after);
}

}  // namespace

int print_events(CliContext& context, Store& store, const EventsOptions& options) {
  const Printer p{context};
  std::optional<StopOnSignals> signals;
  if (options.follow) signals.emplace();
  uint64_t after = options.since;
  size_t printed = 0;
  bool cursor_checked = false;
  std::string lines;
  // Lines go out a page at a time, and before any error, so that a consumer has every entry
  // before the one that failed.
  const auto emit = [&] {
    p.out(lines);
    lines.clear();
    std::fflush(context.out);
  };
  while (true) {
    size_t limit = kJournalPageEntries;
    // Each entry holds at least one event: no more entries than events still wanted.
    if (options.max_events) limit = std::min(limit, *options.max_events - printed);
    absl::StatusOr<std::vector<JournalRecord>> page = store.journal(after, limit);
    if (!page.ok()) return p.fail(page.status());
    if (page->empty() && !cursor_checked) {
      if (std::optional<int> code = check_cursor(p, store, options.since)) return *code;
    }
    cursor_checked = true;
    for (const JournalRecord& record : *page) {
      if (record.seq != after + 1) {
        emit();
        return out_of_sequence(p, record, after, after == options.since);
      }
      absl::StatusOr<JournalEntry> entry = internal::decode_entry(record.bytes);
      if (!entry.ok() || entry->seq != record.seq) {
        emit();
        return p.fail(kExitFailed, "the stored entry seq {} {}", record.seq,
                      entry.ok() ? fmt::format("holds the bytes of seq {}", entry->seq)
                                 : "does not decode: " + std::string(entry.status().message()));
      }
      const size_t n = entry->events.size();
      if (options.max_events && printed > 0 && printed + n > *options.max_events) break;
      for (size_t i = 0; i < n; ++i) {
        lines += internal::event_json(record.seq, i, entry->committed_at, entry->events[i]);
        lines += '\n';
      }
      printed += n;
      after = record.seq;
      if (options.max_events && printed >= *options.max_events) break;
    }
    emit();
    // Ended by --max: it is reached, or the next entry would pass it.
    if (options.max_events &&
        (printed >= *options.max_events || (!page->empty() && after < page->back().seq))) {
      return kExitOk;
    }
    if (page->size() < limit) {  // At the head.
      if (!options.follow || !wait_for_next_poll(context, options.poll)) return kExitOk;
    }
  }
}

// --- verify ------------------------------------------------------------------------------------

namespace {

// Every stored entry, in seq order, through the chain check and (for a journal that starts at
// seq 1, or at its checkpoint's successor) the replay, without holding more than a page of them.
class JournalWalk {
 public:
  // Starts from the store's checkpoint, when a prune left one: the chain goes on from its hash,
  // the replay from its rows. DataLoss when the checkpoint fails its own checks.
  absl::Status start(const std::optional<JournalCheckpoint>& checkpoint) {
    if (!checkpoint) return absl::OkStatus();
    absl::StatusOr<LedgerSnapshot> rows = internal::open_checkpoint(*checkpoint);
    if (!rows.ok()) return rows.status();
    absl::StatusOr<JournalReplay> replay = JournalReplay::from_checkpoint(*rows);
    if (!replay.ok()) return replay.status();
    replay_ = *std::move(replay);
    anchor_ = JournalHead{checkpoint->seq, checkpoint->hash};
    chain_ = ChainChecker(anchor_);
    last_seq_ = checkpoint->seq;
    last_hash_ = checkpoint->hash;
    return absl::OkStatus();
  }

  // Feeds the entries after the last one fed, up to seq `up_to`, or to the last one stored when
  // it is nullopt.
  absl::Status read(Store& store, std::optional<uint64_t> up_to) {
    while (!up_to || last_seq_ < *up_to) {
      absl::StatusOr<std::vector<JournalRecord>> page =
          store.journal(last_seq_, kJournalPageEntries);
      if (!page.ok()) return page.status();
      const uint64_t before = last_seq_;
      for (const JournalRecord& record : *page) {
        if (up_to && record.seq > *up_to) return absl::OkStatus();
        take(record);
      }
      // A store answering seqs it was not asked for would otherwise be asked again for ever.
      if (page->size() < kJournalPageEntries || last_seq_ <= before) return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  uint64_t records() const { return records_; }
  uint64_t first_seq() const { return first_seq_; }
  uint64_t last_seq() const { return last_seq_; }
  const ChainHash& last_hash() const { return last_hash_; }
  const ChainCheck& chain() const { return chain_.result(); }
  // Whether the replay runs: the journal starts at seq 1 or right after its checkpoint, or is
  // empty.
  bool replayed_from_start() const { return records_ == 0 || first_seq_ == anchor_.seq + 1; }
  // The checkpoint's seq and hash, or seq 0 and the zero hash without one.
  const JournalHead& anchor() const { return anchor_; }
  const JournalReplay& replay() const { return replay_; }
  const absl::Status& replay_status() const { return replay_status_; }
  uint64_t replay_refused_seq() const { return replay_refused_seq_; }

 private:
  void take(const JournalRecord& record) {
    last_seq_ = std::max(last_seq_, record.seq);
    last_hash_ = record.hash;
    if (records_++ == 0) {
      first_seq_ = record.seq;
      // The entries before it are not stored and no checkpoint says what they held: its stored
      // hash is the anchor the rest chain on, as nothing left can check it.
      if (record.seq > anchor_.seq + 1) {
        chain_ = ChainChecker(JournalHead{record.seq, record.hash});
        return;
      }
    }
    chain_.feed(absl::MakeConstSpan(&record, 1));
    if (replayed_from_start() && replay_status_.ok()) {
      replay_status_ = replay_.apply(record);
      if (!replay_status_.ok()) replay_refused_seq_ = record.seq;
    }
  }

  JournalHead anchor_;
  ChainChecker chain_{JournalHead{}};
  JournalReplay replay_;
  absl::Status replay_status_;
  uint64_t replay_refused_seq_ = 0;
  uint64_t records_ = 0;
  uint64_t first_seq_ = 0;
  uint64_t last_seq_ = 0;
  ChainHash last_hash_{};
};

// The stored rows include some the journal never wrote, from before the ledger kept one (a
// store migrated from before it): ids are issued from 1, so a journal kept from the ledger's
// first commit creates account 1 before anything else touches an account. A chain broken at or
// before the replay's refusal is damage instead, reported as such.
bool rows_predate_journal(const JournalWalk& walk, const LedgerSnapshot& stored) {
  const bool store_has_first_account =
      std::any_of(stored.accounts.begin(), stored.accounts.end(),
                  [](const Account& a) { return a.id == AccountId{1}; });
  if (!walk.replayed_from_start() || !store_has_first_account) return false;
  if (walk.replay().account_seq(AccountId{1}) != 0) return false;
  return walk.chain().ok() || (walk.replay_refused_seq() != 0 &&
                               *walk.chain().first_bad_seq > walk.replay_refused_seq());
}

// "chain: ..."; true when it holds up to the store's head.
bool report_chain(const Printer& p, const JournalWalk& walk, const JournalHead& head) {
  const ChainCheck& chain = walk.chain();
  if (!chain.ok()) {
    // The checker's reason names the seq too: "seq 7: the stored hash ...".
    std::string_view reason = chain.reason;
    const std::string named = fmt::format("seq {}: ", *chain.first_bad_seq);
    if (reason.substr(0, named.size()) == named) reason.remove_prefix(named.size());
    p.outf("chain: broken at seq {}: {}\n", *chain.first_bad_seq, reason);
    return false;
  }
  if (walk.last_seq() != head.seq || walk.last_hash() != head.hash) {
    p.outf("chain: the journal ends at seq {} ({}), the store's head is seq {} ({})\n",
           walk.last_seq(), hex(walk.last_hash()), head.seq, hex(head.hash));
    return false;
  }
  if (walk.records() == 0) {
    p.out("chain: no entries, ok\n");
  } else {
    std::string start;
    if (walk.anchor().seq != 0 && walk.first_seq() == walk.anchor().seq + 1) {
      start = fmt::format(" (from the checkpoint at seq {}, {})", walk.anchor().seq,
                          hex(walk.anchor().hash));
    } else if (walk.first_seq() > 1) {
      start = fmt::format(" (no entry before seq {} is stored: its hash is taken as stored)",
                          walk.first_seq());
    }
    p.outf("chain: {} entr{}, seq {}..{}, ok{}\n", walk.records(),
           walk.records() == 1 ? "y" : "ies", walk.first_seq(), walk.last_seq(), start);
  }
  return true;
}

// "replay: ..." and "state hash ...": true when the replay agrees with the store, or could not
// be run from an empty ledger (which is said).
bool report_replay(const Printer& p, const JournalWalk& walk, const LedgerSnapshot& stored) {
  const uint64_t head = stored.journal_head.seq;
  const std::string stored_hash = hex(internal::state_hash(stored));
  std::string skipped;
  if (!walk.replayed_from_start()) {
    skipped = fmt::format("the journal starts at seq {}, after entries no longer stored",
                          walk.first_seq());
  } else if (rows_predate_journal(walk, stored)) {
    skipped = "the journal starts after rows it did not write";
  }
  if (!skipped.empty()) {
    p.outf("replay: skipped: {}; the replay check needs a checkpoint\n", skipped);
    p.outf("state hash at seq {}: store {}\n", head, stored_hash);
    return true;
  }
  if (!walk.replay_status().ok()) {
    p.outf("replay: the journal cannot be replayed: {}\n",
           std::string(walk.replay_status().message()));
    p.outf("state hash at seq {}: store {}\n", head, stored_hash);
    return false;
  }
  const std::optional<internal::RowDifference> difference =
      internal::first_difference(walk.replay(), stored);
  if (difference) {
    p.outf("replay: {}\n", difference->to_string());
  } else {
    p.outf("replay: tables match the journal at seq {}\n", head);
  }
  const std::string journal_hash = hex(internal::state_hash(walk.replay().rows()));
  p.outf("state hash at seq {}: journal {}, store {}\n", head, journal_hash, stored_hash);
  return !difference && journal_hash == stored_hash;
}

}  // namespace

int verify_store(CliContext& context, Store& store, std::string_view description) {
  const Printer p{context};
  JournalWalk walk;
  absl::StatusOr<std::optional<JournalCheckpoint>> checkpoint = store.journal_checkpoint();
  if (!checkpoint.ok()) return p.fail(checkpoint.status());
  if (absl::Status start = walk.start(*checkpoint); !start.ok()) {
    p.outf("checkpoint: {}\n", std::string(start.message()));
    p.outf("verify FAILED: {} does not agree with its journal\n", description);
    return kExitProblemsFound;
  }
  if (*checkpoint) {
    p.outf("checkpoint: seq {}, committed {}, ok\n", (*checkpoint)->seq,
           internal::rfc3339_nanos((*checkpoint)->committed_at));
  }
  if (absl::Status read = walk.read(store, std::nullopt); !read.ok()) return p.fail(read);
  // A look, not a writer's load: it must not lift a store's refusal of commits (store.h).
  SnapshotRequest everything;
  everything.commits_follow = false;
  absl::StatusOr<LedgerSnapshot> stored = store.load(everything);
  if (!stored.ok()) return p.fail(stored.status());
  // A ledger committed between the journal's read and the load: the entries up to the load's
  // head bring the replay to the same seq.
  if (stored->journal_head.seq > walk.last_seq()) {
    if (absl::Status read = walk.read(store, stored->journal_head.seq); !read.ok()) {
      return p.fail(read);
    }
  }
  const bool chain_ok = report_chain(p, walk, stored->journal_head);
  const bool replay_ok = report_replay(p, walk, *stored);
  if (chain_ok && replay_ok) {
    p.outf("verify OK: {} agrees with its journal at seq {}\n", description,
           stored->journal_head.seq);
    return kExitOk;
  }
  p.outf("verify FAILED: {} does not agree with its journal\n", description);
  return kExitProblemsFound;
}

// --- history -----------------------------------------------------------------------------------

namespace {

using Align = TextTable::Align;

// One JSON object on one line, its members in the order added.
class JsonLine {
 public:
  JsonLine& number(std::string_view name, uint64_t v) {
    key(name) += std::to_string(v);
    return *this;
  }
  JsonLine& number(std::string_view name, int64_t v) {
    key(name) += std::to_string(v);
    return *this;
  }
  JsonLine& text(std::string_view name, std::string_view v) {
    internal::append_json_string(key(name), v);
    return *this;
  }
  JsonLine& time(std::string_view name, absl::Time t) {
    return text(name, internal::rfc3339_nanos(t));
  }
  JsonLine& flag(std::string_view name, bool v) {
    key(name) += v ? "true" : "false";
    return *this;
  }
  std::string line() const { return text_ + "}\n"; }

 private:
  std::string& key(std::string_view name) {
    text_ += text_.size() == 1 ? "" : ",";
    internal::append_json_string(text_, name);
    text_ += ':';
    return text_;
  }
  std::string text_ = "{";
};

std::string_view side_word(Side side) { return side == Side::kBuy ? "buy" : "sell"; }

std::string trade_json(const Trade& t) {
  return JsonLine()
      .number("execution", t.execution.value())
      .number("account", t.account.value())
      .number("order", t.order.value())
      .number("symbol", t.symbol.value())
      .text("side", side_word(t.side))
      .number("qty_bp", t.qty.value())
      .number("price_cents_per_share", t.price.cents_per_share())
      .number("notional_cents", t.notional.value())
      .number("realized_pnl_cents", t.realized_pnl.value())
      .number("tick", t.tick.value())
      .time("time", t.time)
      .line();
}

std::string entry_json(const ExternalEntry& e) {
  return JsonLine()
      .text("key", e.key)
      .text("kind", entry_kind_name(e.kind))
      .number("account", e.account.value())
      .number("cash_cents", e.cash.value())
      .number("symbol", e.symbol.value())
      .number("qty_bp", e.qty.value())
      .time("time", e.time)
      .line();
}

std::string reservation_json(const Reservation& r) {
  return JsonLine()
      .number("id", r.id.value())
      .number("account", r.account.value())
      .number("order", r.order.value())
      .number("symbol", r.symbol.value())
      .text("side", side_word(r.side))
      .number("limit_cents_per_share", r.limit.cents_per_share())
      .number("order_qty_bp", r.order_qty.value())
      .number("remaining_qty_bp", r.remaining_qty.value())
      .number("reserved_cash_cents", r.reserved_cash.value())
      .time("created_at", r.created_at)
      .time("expires_at", r.expires_at)
      .time("updated_at", r.updated_at)
      .text("status", reservation_status_name(r.status))
      .line();
}

std::string trade_table(const std::vector<Trade>& trades) {
  TextTable table({{"TIME"}, {"EXECUTION", Align::kRight}, {"ORDER", Align::kRight}, {"SIDE"},
                   {"SYMBOL", Align::kRight}, {"SHARES", Align::kRight}, {"PRICE", Align::kRight},
                   {"NOTIONAL", Align::kRight}, {"REALIZED P&L", Align::kRight}});
  for (const Trade& t : trades) {
    table.add_row({format_time(t.time), std::to_string(t.execution.value()),
                   std::to_string(t.order.value()), std::string(side_name(t.side)),
                   std::to_string(t.symbol.value()), format_shares(t.qty), format_price(t.price),
                   format_dollars(t.notional), format_dollars(t.realized_pnl)});
  }
  return table.render();
}

std::string entry_table(const std::vector<ExternalEntry>& entries) {
  TextTable table({{"TIME"}, {"KEY"}, {"KIND"}, {"CASH", Align::kRight},
                   {"SYMBOL", Align::kRight}, {"SHARES", Align::kRight}});
  for (const ExternalEntry& e : entries) {
    table.add_row({format_time(e.time), e.key, std::string(entry_kind_name(e.kind)),
                   format_dollars(e.cash), std::to_string(e.symbol.value()), format_shares(e.qty)});
  }
  return table.render();
}

std::string reservation_table(const std::vector<Reservation>& reservations) {
  TextTable table({{"ID", Align::kRight}, {"ORDER", Align::kRight}, {"SIDE"},
                   {"SYMBOL", Align::kRight}, {"STATUS"}, {"SHARES", Align::kRight},
                   {"REMAINING", Align::kRight}, {"LIMIT", Align::kRight}, {"HELD", Align::kRight},
                   {"CREATED"}, {"UPDATED"}});
  for (const Reservation& r : reservations) {
    table.add_row({std::to_string(r.id.value()), std::to_string(r.order.value()),
                   std::string(side_name(r.side)), std::to_string(r.symbol.value()),
                   std::string(reservation_status_name(r.status)), format_shares(r.order_qty),
                   format_shares(r.remaining_qty), format_price(r.limit),
                   format_dollars(r.reserved_cash), format_time(r.created_at),
                   format_time(r.updated_at)});
  }
  return table.render();
}

// One page as printed: its rows, named in the singular and the plural, and when more follow, the
// cursor of its last row.
template <typename Row>
struct PrintedPage {
  std::string_view one;
  std::string_view many;
  AccountId account;
  const std::vector<Row>& rows;
  bool more = false;
  std::string next;
};

// As JSON lines, the cursor last as {"more":true,"after":...}; or as a count, a table and a line
// naming the next page.
template <typename Row, typename Json, typename Table>
int print_page(const Printer& p, bool as_json, const PrintedPage<Row>& page, Json json,
               Table table) {
  if (as_json) {
    std::string lines;
    for (const Row& row : page.rows) lines += json(row);
    if (page.more) lines += JsonLine().flag("more", true).text("after", page.next).line();
    p.out(lines);
    return kExitOk;
  }
  p.outf("{} {} of account {}{}\n", page.rows.size(), page.rows.size() == 1 ? page.one : page.many,
         page.account.value(), page.rows.empty() ? "" : ", oldest first");
  if (!page.rows.empty()) p.out(table(page.rows));
  if (page.more) p.outf("next page: --after {}\n", page.next);
  return kExitOk;
}

// A query the store refuses is the command line's fault (the options make the query).
int history_failure(const Printer& p, const absl::Status& status) {
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    return p.fail(kExitUsage, "{}", std::string(status.message()));
  }
  return p.fail(status);
}

}  // namespace

std::string entry_cursor_text(const EntryQuery::After& after) {
  return fmt::format("{}:{}", absl::ToUnixNanos(after.time),
                     absl::BytesToHexString(absl::string_view(after.key)));
}

std::optional<EntryQuery::After> parse_entry_cursor(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view ns_text = text.substr(0, colon);
  const std::string_view hex = text.substr(colon + 1);
  int64_t ns = 0;
  if (!absl::SimpleAtoi(absl::string_view(ns_text.data(), ns_text.size()), &ns)) {
    return std::nullopt;
  }
  if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 2 * kEntryKeyBytesMax ||
      !std::all_of(hex.begin(), hex.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
    return std::nullopt;
  }
  return EntryQuery::After{absl::FromUnixNanos(ns),
                           absl::HexStringToBytes(absl::string_view(hex.data(), hex.size()))};
}

int print_history(CliContext& context, Store& store, const HistoryOptions& options) {
  const Printer p{context};
  switch (options.kind) {
    case HistoryKind::kTrades: {
      absl::StatusOr<TradePage> page = store.trade_page(options.trades);
      if (!page.ok()) return history_failure(p, page.status());
      return print_page(p, options.json,
                        PrintedPage<Trade>{"trade", "trades", options.trades.account,
                                           page->trades, page->more,
                                           std::to_string(page->last_row)},
                        trade_json, trade_table);
    }
    case HistoryKind::kEntries: {
      absl::StatusOr<EntryPage> page = store.entry_page(options.entries);
      if (!page.ok()) return history_failure(p, page.status());
      const std::vector<ExternalEntry>& rows = page->entries;
      const std::string next =
          rows.empty() ? "" : entry_cursor_text({rows.back().time, rows.back().key});
      return print_page(p, options.json,
                        PrintedPage<ExternalEntry>{"entry", "entries", options.entries.account,
                                                   rows, page->more, next},
                        entry_json, entry_table);
    }
    case HistoryKind::kReservations: {
      absl::StatusOr<ReservationPage> page = store.reservation_page(options.reservations);
      if (!page.ok()) return history_failure(p, page.status());
      const std::vector<Reservation>& rows = page->reservations;
      const std::string next = rows.empty() ? "" : std::to_string(rows.back().id.value());
      return print_page(p, options.json,
                        PrintedPage<Reservation>{"reservation", "reservations",
                                                 options.reservations.account, rows, page->more,
                                                 next},
                        reservation_json, reservation_table);
    }
  }
  return p.fail(kExitFailed, "unknown history kind");
}

}  // namespace account::cli
