// Private to the library: the ledger's reservations, stored densely by id.
//
// Reservation ids are issued 1, 2, 3..., so a reservation's place is its id:
// chunk (id - 1) / 1,024, row (id - 1) % 1,024. A lookup is two indexes and
// a compare, where a hash map of a million 112-byte rows cost a hash, a probe
// and, as it grew, rehashes that moved every row. Finished reservations are
// erased after their retention; a chunk whose rows are all erased leaves the
// table (kept as a spare for the next ids, up to as many as reserve() asked
// for, at least one; freed beyond that), and spent chunks at the front are
// dropped, so memory follows the ids still held (an order active for 30 days
// keeps its chunk, ~130 KB, alive).
// Pointers to rows stay valid until the row is erased.
//
// Thread-safety: none (part of LedgerState).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "account/reservation.h"
#include "base/chunk_pool.h"

namespace account::internal {

class ReservationTable {
 public:
  size_t size() const { return size_; }
  // A lower bound of every id held (the first id of the first chunk in
  // use), or 0 when no id is held.
  uint64_t lowest_id_bound() const {
    return size_ == 0 ? 0 : (first_chunk_ << kChunkShift) + 1;
  }

  const Reservation* find(ReservationId id) const {
    const Chunk* chunk = chunk_of(id.value());
    if (chunk == nullptr) return nullptr;
    const Reservation& row = chunk->rows[(id.value() - 1) & kRowMask];
    return row.id == id ? &row : nullptr;
  }

  // Stores `r` (id > 0) in its place; returns the stored row and whether
  // the id was new to the table.
  std::pair<Reservation*, bool> put(const Reservation& r) {
    return put(r, [](const Reservation*) {});
  }

  // put(), first calling before(prior) with the row `r` replaces, or with
  // nullptr when its id is new: one lookup where find() and put() take two.
  // Inline for the common case, a chunk already in use: the ledger and the
  // store each put every change.
  template <typename F>
  std::pair<Reservation*, bool> put(const Reservation& r, F&& before) {
    if (Chunk* chunk = chunk_of(r.id.value())) {
      const Reservation& row = chunk->rows[(r.id.value() - 1) & kRowMask];
      before(row.id.valid() ? &row : nullptr);  // A row holds its own id or none.
      return put_in(*chunk, r);
    }
    before(static_cast<const Reservation*>(nullptr));  // A chunk not in use holds no row.
    return put_making_chunk(r);
  }

  // Removes the reservation with this id, if held.
  void erase(ReservationId id);

  // Allocates and touches the chunks that the next `reservations` new ids
  // will need (one more, as they may straddle one), so that those puts
  // neither allocate nor fault (prefault.h). Chunks emptied later are kept
  // for reuse, up to as many as were reserved (at least one).
  void reserve(size_t reservations);

  // Calls `f` with each reservation, by ascending id.
  template <typename F>
  void for_each(F&& f) const {
    for (const std::unique_ptr<Chunk>& chunk : chunks_) {
      if (chunk == nullptr) continue;
      for (const Reservation& row : chunk->rows) {
        if (row.id.valid()) f(row);
      }
    }
  }

 private:
  static constexpr int kChunkShift = 10;
  static constexpr uint64_t kChunkRows = uint64_t{1} << kChunkShift;
  static constexpr uint64_t kRowMask = kChunkRows - 1;

  struct Chunk {
    std::array<Reservation, kChunkRows> rows{};  // A row with id 0 is empty.
    size_t held = 0;
  };
  static std::unique_ptr<Chunk> new_chunk();

  std::pair<Reservation*, bool> put_in(Chunk& chunk, const Reservation& r) {
    Reservation& row = chunk.rows[(r.id.value() - 1) & kRowMask];
    const bool inserted = !row.id.valid();
    row = r;
    if (inserted) {
      ++chunk.held;
      ++size_;
    }
    return {&row, inserted};
  }
  // put() when r's chunk is not in use yet.
  std::pair<Reservation*, bool> put_making_chunk(const Reservation& r);

  // The chunk in use that holds `id`'s row, or nullptr.
  const Chunk* chunk_of(uint64_t id) const {
    const uint64_t c = (id - 1) >> kChunkShift;
    if (id == 0 || c < first_chunk_ || c - first_chunk_ >= chunks_.size()) return nullptr;
    return chunks_[c - first_chunk_].get();
  }
  Chunk* chunk_of(uint64_t id) {
    return const_cast<Chunk*>(static_cast<const ReservationTable*>(this)->chunk_of(id));
  }

  // chunks_[k] is chunk number first_chunk_ + k. A vector, not a deque: its
  // index is one instruction, and dropping spent chunks from the front
  // happens once per 1,024 reservations.
  std::vector<std::unique_ptr<Chunk>> chunks_;
  // Empty chunks for the next ids: emptied by erase(), or made by reserve().
  ChunkPool<Chunk> pool_;
  uint64_t first_chunk_ = 0;
  size_t size_ = 0;
};

}  // namespace account::internal
