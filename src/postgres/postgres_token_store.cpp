#include "account/postgres/postgres_token_store.h"

#include <algorithm>
#include <string>
#include <utility>

#include "base/strings.h"
#include "base/mutex.h"
#include "account/status.h"
#include "pg.h"
#include "schema.h"

namespace account::auth {
namespace {

// The statements, prepared on every connection. Columns of reads are bigint and bytea only, in
// binary, as expect_columns() checks.
struct TokenStatement {
  const char* name;
  const char* sql;
};

constexpr TokenStatement kInsert{
    "auth_token_insert",
    "INSERT INTO refresh_tokens (token_hash, family_id, account_id, issued_at_ns, expires_at_ns,"
    " state) VALUES ($1::bytea, $2::bytea, $3::bigint, $4::bigint, $5::bigint,"
    " $6::bigint::smallint)"};

constexpr TokenStatement kFind{
    "auth_token_find",
    "SELECT family_id, account_id, issued_at_ns, expires_at_ns, state::bigint "
    "FROM refresh_tokens WHERE token_hash = $1::bytea"};

// The compare-and-set: the UPDATE marks the old token rotated only while it is active, and the
// INSERT of the successor takes its rows from the UPDATE's, so it happens exactly when the
// UPDATE did. A concurrent rotation of the same token blocks on the row lock, then re-checks
// state = 1 on the committed row (READ COMMITTED), finds 2 and returns no row.
//
// NOT EXISTS keeps a revoked family revoked. A revocation's UPDATE picks the family's rows from
// the snapshot its statement began with: when a rotation of the family commits while the
// revocation waits for the old token's row lock, the revocation revokes the old token but never
// sees the successor, which stays active. That successor's own rotation then finds the family's
// revoked rows here and fails, and RefreshTokens revokes it.
constexpr TokenStatement kRotate{
    "auth_token_rotate",
    "WITH old AS (UPDATE refresh_tokens o SET state = 2 "
    " WHERE o.token_hash = $1::bytea AND o.state = 1 AND NOT EXISTS ("
    "   SELECT 1 FROM refresh_tokens f WHERE f.family_id = o.family_id AND f.state = 3)"
    " RETURNING 1) "
    "INSERT INTO refresh_tokens (token_hash, family_id, account_id, issued_at_ns, expires_at_ns,"
    " state) SELECT $2::bytea, $3::bytea, $4::bigint, $5::bigint, $6::bigint,"
    " $7::bigint::smallint "
    "FROM old RETURNING 1::bigint"};

constexpr TokenStatement kRevokeFamily{
    "auth_token_revoke_family",
    "WITH r AS (UPDATE refresh_tokens SET state = 3 "
    " WHERE family_id = $1::bytea AND state <> 3 RETURNING 1) "
    "SELECT count(*)::bigint FROM r"};

constexpr TokenStatement kDeleteExpired{
    "auth_token_delete_expired",
    "WITH d AS (DELETE FROM refresh_tokens WHERE expires_at_ns < $1::bigint RETURNING 1) "
    "SELECT count(*)::bigint FROM d"};

constexpr TokenStatement kAll[] = {kInsert, kFind, kRotate, kRevokeFamily, kDeleteExpired};

void add_record(pg::Params& p, const RefreshTokenRecord& r) {
  p.add_bytea(r.token_hash);
  p.add_bytea(r.family_id);
  p.add_int8(pg::id_to_db(r.account.value()));
  p.add_int8(pg::time_to_ns(r.issued_at));
  p.add_int8(pg::time_to_ns(r.expires_at));
  p.add_int8(static_cast<int64_t>(r.state));
}

}  // namespace

struct PostgresTokenStore::Impl {
  std::string url;
  PostgresStoreOptions options;
  internal::Mutex mu;
  pg::Conn conn ABSL_GUARDED_BY(mu);

  // Connects, migrates and prepares: a usable session.
  absl::Status connect_session() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    conn.reset();
    const std::string timeout =
        std::to_string(std::max<int64_t>(2, absl::ToInt64Seconds(options.connect_timeout)));
    // Defaults come before dbname, so that the URL's own settings win.
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {timeout.c_str(), options.application_name.c_str(), url.c_str(),
                            nullptr};
    absl::StatusOr<pg::Conn> connected = pg::connect(keywords, values);
    if (!connected.ok()) return connected.status();
    conn = std::move(*connected);
    absl::Status ok = pg::migrate(conn.get(), PostgresStore::kSchemaVersion);
    for (const TokenStatement& s : kAll) {
      if (ok.ok()) ok = pg::prepare(conn.get(), s.name, s.sql);
    }
    if (!ok.ok()) conn.reset();
    return ok;
  }

  absl::Status ready() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (conn != nullptr && !pg::broken(conn.get())) return absl::OkStatus();
    return connect_session();
  }

  // Drops a connection that broke, so the next call reconnects. Returns `status`.
  absl::Status settle(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (conn != nullptr &&
        (pg::broken(conn.get()) || PQtransactionStatus(conn.get()) != PQTRANS_IDLE ||
         status.code() == absl::StatusCode::kUnavailable)) {
      conn.reset();
    }
    return status;
  }

  // Runs a prepared statement on a ready connection.
  absl::StatusOr<pg::Result> run(const TokenStatement& s, const pg::Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (absl::Status ok = ready(); !ok.ok()) return ok;
    absl::StatusOr<pg::Result> r = pg::exec_prepared(conn.get(), s.name, params);
    if (!r.ok()) return settle(r.status());
    return r;
  }

  // The one bigint a counting statement returns.
  absl::StatusOr<int64_t> run_count(const TokenStatement& s, const pg::Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    absl::StatusOr<pg::Result> r = run(s, params);
    if (!r.ok()) return r.status();
    ACCOUNT_RETURN_IF_ERROR(pg::expect_columns(r->get(), "i", s.name));
    if (PQntuples(r->get()) != 1) return absl::InternalError(internal::cat(s.name, ": no count"));
    return pg::get_int(r->get(), 0, 0);
  }
};

PostgresTokenStore::PostgresTokenStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresTokenStore::~PostgresTokenStore() = default;

absl::StatusOr<std::unique_ptr<PostgresTokenStore>> PostgresTokenStore::open(
    std::string_view database_url, PostgresStoreOptions options) {
  absl::StatusOr<std::unique_ptr<Impl>> impl =
      pg::open_session<Impl>(database_url, std::move(options));
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<PostgresTokenStore>(new PostgresTokenStore(*std::move(impl)));
}

absl::Status PostgresTokenStore::insert(const RefreshTokenRecord& record) {
  pg::Params p;
  add_record(p, record);
  internal::MutexLock lock(&impl_->mu);
  return impl_->run(kInsert, p).status();
}

absl::StatusOr<std::optional<RefreshTokenRecord>> PostgresTokenStore::find(
    std::string_view token_hash) {
  pg::Params p;
  p.add_bytea(token_hash);
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<pg::Result> r = impl_->run(kFind, p);
  if (!r.ok()) return r.status();
  const PGresult* rows = r->get();
  ACCOUNT_RETURN_IF_ERROR(pg::expect_columns(rows, "biiii", kFind.name));
  if (PQntuples(rows) == 0) return std::optional<RefreshTokenRecord>();
  const int64_t state = pg::get_int(rows, 0, 4);
  if (state < 1 || state > 3) {
    return absl::InternalError(internal::cat("refresh_tokens: unknown state ", state));
  }
  return std::optional<RefreshTokenRecord>(RefreshTokenRecord{
      .token_hash = std::string(token_hash),
      .family_id = pg::get_bytes(rows, 0, 0),
      .account = AccountId{pg::id_from_db(pg::get_int(rows, 0, 1))},
      .issued_at = pg::time_from_ns(pg::get_int(rows, 0, 2)),
      .expires_at = pg::time_from_ns(pg::get_int(rows, 0, 3)),
      .state = static_cast<RefreshTokenState>(state)});
}

absl::StatusOr<bool> PostgresTokenStore::rotate(std::string_view old_hash,
                                                const RefreshTokenRecord& successor) {
  pg::Params p;
  p.add_bytea(old_hash);
  add_record(p, successor);
  internal::MutexLock lock(&impl_->mu);
  absl::StatusOr<pg::Result> r = impl_->run(kRotate, p);
  if (!r.ok()) return r.status();
  return PQntuples(r->get()) == 1;
}

absl::StatusOr<int64_t> PostgresTokenStore::revoke_family(std::string_view family_id) {
  pg::Params p;
  p.add_bytea(family_id);
  internal::MutexLock lock(&impl_->mu);
  return impl_->run_count(kRevokeFamily, p);
}

absl::StatusOr<int64_t> PostgresTokenStore::delete_expired(absl::Time cutoff) {
  pg::Params p;
  p.add_int8(pg::time_to_ns(cutoff));
  internal::MutexLock lock(&impl_->mu);
  return impl_->run_count(kDeleteExpired, p);
}

}  // namespace account::auth
