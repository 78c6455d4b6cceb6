// File: writer_fencing.h
//
// How a store says that this writer was fenced: another writer took the store since this one
// opened it (PostgreSQL: a newer writer epoch, docs/ha.md "Fencing by epoch"), so nothing this
// store sends will be written again. The store's answer is kAborted, as for the other refusals
// that wrote nothing, with a payload that tells this one apart: the other Aborted answers are
// lifted by a reload, this one never is.
//
//   absl::Status committed = store->commit(changes);
//   if (account::is_writer_fenced(committed)) { /* stop writing: exit, or reopen */ }
//
// The ledger answers every command after it with Reason::kWriterFenced (AccountService,
// writer_fenced()).
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace account {

// The payload URL writer_fenced_error() sets; its value is empty.
inline constexpr std::string_view kWriterFencedPayloadUrl = "type.waiver.exchange/account.WriterFenced";

// kAborted with `message` and the fenced payload.
absl::Status writer_fenced_error(std::string_view message);

// True for a status writer_fenced_error() made (or a copy of it).
bool is_writer_fenced(const absl::Status& status);

}  // namespace account
