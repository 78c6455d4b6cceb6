// Private to account::postgres: small RAII wrappers over libpq, binary
// parameter and result encoding, and the mapping of libpq failures onto
// absl::Status codes.
//
// Every value goes to the server as a binary parameter (never spliced into
// SQL text); one-dimensional arrays use PostgreSQL's binary array format
// (array_send), so `unnest($1::bigint[], ...)` receives them without parsing.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "base/mutex.h"

#ifndef LIBPQ_HAS_PIPELINING
#error "account::postgres needs libpq 14 or newer (pipeline mode)"
#endif

namespace account::pg {

struct ConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
inline constexpr Oid kByteaOid = 17;
inline constexpr Oid kInt8Oid = 20;

// Times are BIGINT nanoseconds since the Unix epoch. The infinities map to
// the ends of the int64 range and back; finite times outside ±292 years of
// 1970 saturate to them.
int64_t time_to_ns(absl::Time t);
absl::Time time_from_ns(int64_t ns);

// Ids are unsigned 64-bit; the database stores their bit pattern as BIGINT.
inline int64_t id_to_db(uint64_t id) { return static_cast<int64_t>(id); }
inline uint64_t id_from_db(int64_t v) { return static_cast<uint64_t>(v); }

namespace detail {
inline void put_be32(std::string& out, uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(bytes, 4);
}
inline void put_be64(std::string& out, uint64_t v) {
  put_be32(out, static_cast<uint32_t>(v >> 32));
  put_be32(out, static_cast<uint32_t>(v));
}
// The header of a binary one-dimensional array of `n` elements of `type`.
std::string array_header(Oid type, size_t n, size_t element_bytes);
}  // namespace detail

// The binary parameters of one statement. Buffers live as long as the Params.
class Params {
 public:
  void add_int8(int64_t value);
  void add_text(std::string_view value);
  // Raw bytes for a bytea parameter (binary format): any bytes, NUL included.
  void add_bytea(std::string_view value);

  // A one-dimensional bigint[] holding get(row) for each row.
  template <typename Row, typename Get>
  void add_int8_column(absl::Span<const Row> rows, Get get) {
    std::string out = detail::array_header(kInt8Oid, rows.size(), 12);
    for (const Row& row : rows) {
      detail::put_be32(out, 8);
      detail::put_be64(out, static_cast<uint64_t>(static_cast<int64_t>(get(row))));
    }
    push(std::move(out), 1);
  }

  // A one-dimensional bytea[] holding get(row) (a std::string) for each row:
  // any bytes, NUL included.
  template <typename Row, typename Get>
  void add_bytea_column(absl::Span<const Row> rows, Get get) {
    size_t bytes = 0;
    for (const Row& row : rows) bytes += 4 + get(row).size();
    std::string out = detail::array_header(kByteaOid, rows.size(), 0);
    out.reserve(out.size() + bytes);
    for (const Row& row : rows) {
      const std::string& value = get(row);
      detail::put_be32(out, static_cast<uint32_t>(value.size()));
      out.append(value);
    }
    push(std::move(out), 1);
  }

  int count() const { return static_cast<int>(buffers_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  void push(std::string buffer, int format);
  // A deque would keep pointers stable too; rebuilding values_ on each push
  // is simpler and the counts are small.
  std::vector<std::string> buffers_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// Checks that `result` has columns of the types `shape` spells, one letter
// per column: 'i' bigint, 'b' bytea. Guards every read below.
absl::Status expect_columns(const PGresult* result, std::string_view shape, std::string_view what);

// Reads a binary bigint (0 when NULL) or bytea value. Call expect_columns() first.
int64_t get_int(const PGresult* result, int row, int column);
std::string get_bytes(const PGresult* result, int row, int column);

// One statement of a pipeline: a prepared statement by name with its
// parameters, or plain SQL without parameters (BEGIN, COMMIT).
struct Step {
  const char* prepared = nullptr;
  const Params* params = nullptr;
  const char* sql = nullptr;
};

// Sends `steps` in pipeline mode followed by one sync, then collects one
// result per step (binary results): one round trip. Returns the results, or
// the first error mapped by status_of(), after rolling back a transaction
// left open in error.
absl::StatusOr<std::vector<Result>> run_pipeline(PGconn* conn, absl::Span<const Step> steps);

// Reads the rows of `query` (one SELECT, with `params`) through a cursor,
// `rows_per_fetch` rows at a time, handing each batch to `read` (binary
// results) and freeing it before the next, so that a result of millions of
// rows never sits whole in libpq's memory. One pipeline: DECLARE, then two
// FETCHes in flight, so the server makes the next batch while `read`
// converts this one, then CLOSE. Must run inside a transaction (a cursor
// lives as long as its transaction). `cursor` names the cursor (an SQL
// identifier). Returns the first error: the server's, mapped by status_of(),
// or `read`'s; the pipeline is read to its end either way.
absl::Status stream_rows(PGconn* conn, const char* cursor, const char* query,
                         const Params& params, int rows_per_fetch,
                         absl::FunctionRef<absl::Status(const PGresult*)> read);

// Runs `sql` (no parameters; several statements allowed) outside pipeline
// mode. For migrations and session set-up.
absl::Status exec(PGconn* conn, const char* sql, std::string_view what);

// Runs `sql` with `params` (one statement, binary results) outside pipeline mode.
absl::StatusOr<Result> exec_params(PGconn* conn, const char* sql, const Params& params,
                                   std::string_view what);

// Runs the prepared statement `name` with `params` outside pipeline mode.
absl::StatusOr<Result> exec_prepared(PGconn* conn, const char* name, const Params& params);

// Prepares `sql` as `name` on this connection.
absl::Status prepare(PGconn* conn, const char* name, const char* sql);

// Raised by the schema's account_journal_append() (schema.cpp, version 5)
// when an entry's seq is not the stored head's + 1.
inline constexpr std::string_view kJournalSeqSqlstate = "JA001";
// Raised by the schema's account_journal_prune() (schema.cpp, version 7), each a refused prune:
// a checkpoint that does not fit the stored journal, a journal cursor below it, and an
// execution whose trades are not stored.
inline constexpr std::string_view kPruneCheckpointSqlstate = "JA002";
inline constexpr std::string_view kPruneCursorSqlstate = "JA003";
inline constexpr std::string_view kPruneTradesSqlstate = "JA004";
// Raised by the schema's account_writer_check() (version 8): another writer took the database
// since this one opened it (docs/ha.md, fencing).
inline constexpr std::string_view kWriterFencedSqlstate = "JA005";

// The status for a failed result, or for a failed call when `result` is
// null: connection trouble (a broken connection, SQLSTATE class 08, 53, 57P,
// or 40001/40P01) -> Unavailable; 23505 -> AlreadyExists; P0002 (raised by
// the schema's own checks) -> NotFound; kJournalSeqSqlstate -> Aborted;
// kPruneCheckpointSqlstate -> InvalidArgument; kPruneCursorSqlstate ->
// FailedPrecondition; kPruneTradesSqlstate -> DataLoss; kWriterFencedSqlstate ->
// writer_fenced_error() (Aborted, writer_fencing.h); anything else ->
// Internal, with the server's message, detail and SQLSTATE. The password
// candidates of the URL `conn` was opened with (connect()) and the password
// libpq used are replaced by "***" in every piece of libpq text the message
// holds.
absl::Status status_of(PGconn* conn, const PGresult* result, std::string_view what);

// True when the connection can no longer be used.
bool broken(const PGconn* conn);

// True when the server has hung up on this idle connection (it restarted,
// or an administrator ended the session). Reads whatever the socket already
// holds, without waiting, so that a dead connection is found before anything
// is sent on it. A false answer proves nothing: the hang-up may still be on
// its way.
bool hung_up(PGconn* conn);

// Opens a connection. `keywords`/`values` are libpq connection parameters
// (null-terminated arrays; dbname expanded as a connection string or URI).
// Failures map to the distinct codes documented on PostgresStore::open():
// a setting libpq or the server refuses before any connection (an sslmode it
// does not know, a port or timeout that is not a number) is InvalidArgument,
// as retrying cannot help. No message holds a password candidate of the
// dbname URL (database_url.h) or the password libpq used; the candidates
// stay with the connection, for status_of().
absl::StatusOr<Conn> connect(const char* const* keywords, const char* const* values);

// Checks that libpq reads `database_url` as its writer meant, before any
// connection: InvalidArgument, with a message that quotes none of the URL,
// when database_url_problem() (database_url.h) finds a problem (a '/' or
// '@' in the user info, a port that is not a number from 1 to 65535 in the
// host list, as in a password whose '@' was left out, a bad percent-escape,
// an unclosed IPv6 bracket, a query parameter that is not key=value), when
// PQconninfoParse refuses it (an unknown keyword), when a port or timeout
// setting is not a number, or when it gives several ports but not one per
// host.
absl::Status check_url(std::string_view database_url);

// The first steps of PostgresStore::open and PostgresTokenStore::open: checks
// the URL, then makes an `Impl` (with members url, options and mu, and a
// connect_session() that runs under mu) and connects its session. Fails as
// check_url() and connect_session() do.
template <typename Impl, typename Options>
absl::StatusOr<std::unique_ptr<Impl>> open_session(std::string_view database_url,
                                                    Options options) {
  if (absl::Status ok = check_url(database_url); !ok.ok()) return ok;
  auto impl = std::make_unique<Impl>();
  impl->url = std::string(database_url);
  impl->options = std::move(options);
  internal::MutexLock lock(&impl->mu);
  if (absl::Status ok = impl->connect_session(); !ok.ok()) return ok;
  return impl;
}

}  // namespace account::pg
