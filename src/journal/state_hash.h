// The ledger's state hash (docs/journal.md): SHA-256 over the canonical bytes of its durable
// state, so that two holders of a ledger (memory and a store, or two stores) can tell whether they
// hold the same one by comparing 32 bytes.
//
//   const ChainHash memory = state_hash(state.to_snapshot());
//   const ChainHash stored = state_hash(*store.load(SnapshotRequest{}));
//   if (memory != stored) ...  // state_compare.h names the first row that differs.
//
// Only what every holder keeps in full goes in: accounts, positions, active reservations and
// external entries. A ledger's memory and a store's load differ in which finished reservations,
// executions and trades they carry (each keeps a window of them), and derived figures are
// recomputed on restore, so those are left out.
//
// Canonical state bytes, format version 1 (kStateFormatVersion). Integer, string and row
// encodings are the journal's (entry_codec.h, canonical_writer.h): unsigned integers LEB128
// varints; signed ones (cents, quantities, prices, times in nanoseconds since the Unix epoch)
// zigzag then LEB128; strings a varint byte length then the bytes; an optional a byte 0 or 1
// then its value when 1; enums one byte (their declared value).
//
//   version     byte 1
//   accounts    varint count, then each account by id ascending:
//                 id varint, google_id string, display_name string, created_at signed,
//                 cash_cents signed, sleeper link optional of
//                 {user_id string, username string, league_id string, season string,
//                  roster_id signed}
//   positions   varint count, then each position with a nonzero quantity, cost basis or realized
//               P&L (others are left out), by (account, symbol) ascending:
//                 account varint, symbol varint, qty_bp signed, cost_basis_cents signed,
//                 realized_pnl_cents signed
//   reservations varint count, then each ACTIVE reservation, by id ascending:
//                 id varint, account varint, order varint, symbol varint, side byte,
//                 limit_cents_per_share signed, order_qty_bp signed, remaining_qty_bp signed,
//                 reserved_cash_cents signed, created_at signed, expires_at signed,
//                 updated_at signed, status byte (always 1, active)
//   entries     varint count, then each external entry by key ascending (bytes compared as
//               unsigned, a prefix before its extensions):
//                 key string, kind byte, account varint, cash_cents signed, symbol varint,
//                 qty_bp signed, time signed
//
// The state hash is SHA-256 of exactly these bytes. An account's reserved cash and open notional,
// a position's reserved and pending quantities, the reservation id high-water mark and the journal
// head are not in them.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "account/journal_entry.h"
#include "account/ledger_snapshot.h"

namespace account::internal {

inline constexpr uint8_t kStateFormatVersion = 1;

// The canonical bytes of `state`'s durable rows (the format above). Rows need not be sorted.
std::string canonical_state_bytes(const LedgerSnapshot& state);

// SHA-256 of canonical_state_bytes(state), computed a bounded buffer at a time rather than over
// one string holding them all (a ledger of millions of rows).
ChainHash state_hash(const LedgerSnapshot& state);

}  // namespace account::internal
