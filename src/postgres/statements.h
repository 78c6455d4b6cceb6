// Private to account::postgres: the prepared statements, by name. Every
// value is a parameter. Writes take one array per column and touch each
// table with one statement per commit; reads return bigint and bytea
// columns only, in binary, in the order the readers in postgres_store.cpp
// expect (checked by expect_columns() on every result).
#pragma once

namespace account::pg {

struct Statement {
  const char* name;
  const char* sql;
};

// --- Writes (commit) ---------------------------------------------------------

inline constexpr Statement kInsertAccounts{
    "account_insert_accounts",
    "INSERT INTO accounts (id, google_id, display_name, cash_cents, created_at_ns) "
    "SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bigint[], $5::bigint[])"};

// Final cash per account. An account the table does not hold fails the
// commit through account_unknown_account() (SQLSTATE P0002).
inline constexpr Statement kUpdateBalances{
    "account_update_balances",
    "WITH v AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS v (id, cash_cents)), "
    "u AS (UPDATE accounts AS a SET cash_cents = v.cash_cents FROM v WHERE a.id = v.id "
    "RETURNING a.id) "
    "SELECT account_unknown_account(v.id) FROM v WHERE NOT EXISTS "
    "(SELECT 1 FROM u WHERE u.id = v.id)"};

// The whole Sleeper link per account: user id, username, league id,
// season, roster id. An account the table does not hold fails the commit
// through account_link_unknown_account() (SQLSTATE P0002).
inline constexpr Statement kUpdateLinks{
    "account_update_links",
    "WITH v AS (SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[], "
    "$5::bytea[], $6::bigint[]) AS v (id, u, n, l, s, r)), "
    "w AS (UPDATE accounts AS a SET sleeper_user_id = v.u, sleeper_username = v.n, "
    "sleeper_league_id = v.l, sleeper_season = v.s, sleeper_roster_id = v.r "
    "FROM v WHERE a.id = v.id RETURNING a.id) "
    "SELECT account_link_unknown_account(v.id) FROM v WHERE NOT EXISTS "
    "(SELECT 1 FROM w WHERE w.id = v.id)"};

inline constexpr Statement kUpsertPositions{
    "account_upsert_positions",
    "INSERT INTO positions (account_id, symbol_id, qty_bp, cost_basis_cents, "
    "realized_pnl_cents, avg_cost_cents) "
    "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], "
    "$5::bigint[], $6::bigint[]) "
    "ON CONFLICT (account_id, symbol_id) DO UPDATE SET qty_bp = EXCLUDED.qty_bp, "
    "cost_basis_cents = EXCLUDED.cost_basis_cents, "
    "realized_pnl_cents = EXCLUDED.realized_pnl_cents, "
    "avg_cost_cents = EXCLUDED.avg_cost_cents"};

inline constexpr Statement kUpsertReservations{
    "account_upsert_reservations",
    "INSERT INTO reservations (id, account_id, order_id, symbol_id, side, limit_cents, "
    "order_qty_bp, remaining_qty_bp, reserved_cash_cents, status, created_at_ns, "
    "expires_at_ns, updated_at_ns) "
    "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], "
    "$5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], "
    "$11::bigint[], $12::bigint[], $13::bigint[]) "
    "ON CONFLICT (id) DO UPDATE SET account_id = EXCLUDED.account_id, "
    "order_id = EXCLUDED.order_id, symbol_id = EXCLUDED.symbol_id, side = EXCLUDED.side, "
    "limit_cents = EXCLUDED.limit_cents, order_qty_bp = EXCLUDED.order_qty_bp, "
    "remaining_qty_bp = EXCLUDED.remaining_qty_bp, "
    "reserved_cash_cents = EXCLUDED.reserved_cash_cents, status = EXCLUDED.status, "
    "created_at_ns = EXCLUDED.created_at_ns, expires_at_ns = EXCLUDED.expires_at_ns, "
    "updated_at_ns = EXCLUDED.updated_at_ns"};

inline constexpr Statement kInsertExecutions{
    "account_insert_executions",
    "INSERT INTO executions (execution_id, symbol_id, qty_bp, price_cents, buyer_account_id, "
    "buyer_order_id, seller_account_id, seller_order_id, tick, time_ns) "
    "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], "
    "$5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])"};

// Trades get their id (insertion order, which trades() sorts by) from the
// identity column, in array order.
inline constexpr Statement kInsertTrades{
    "account_insert_trades",
    "INSERT INTO trades (account_id, execution_id, order_id, symbol_id, side, qty_bp, "
    "price_cents, notional_cents, realized_pnl_cents, tick, time_ns) "
    "SELECT a, e, o, s, sd, q, p, n, r, t, tm FROM unnest($1::bigint[], $2::bigint[], "
    "$3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], "
    "$9::bigint[], $10::bigint[], $11::bigint[]) WITH ORDINALITY "
    "AS u (a, e, o, s, sd, q, p, n, r, t, tm, ord) ORDER BY ord"};

inline constexpr Statement kInsertEntries{
    "account_insert_entries",
    "INSERT INTO external_entries (key, kind, account_id, cash_cents, symbol_id, qty_bp, "
    "time_ns) "
    "SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::bigint[], "
    "$5::bigint[], $6::bigint[], $7::bigint[])"};

// The change set's journal entry: seq, committed_at_ns, hash, bytes. The
// schema's account_journal_append() refuses (SQLSTATE JA001) a seq that is not
// the stored head's + 1, which aborts the commit's transaction.
inline constexpr Statement kAppendJournal{
    "account_append_journal",
    "SELECT account_journal_append($1::bigint, $2::bigint, $3::bytea, $4::bytea)"};

// A prune (Store::prune_journal): checkpoint seq, committed_at_ns, hash, state, digest, the last
// removed execution (0 for none) and past_cursors (0 or 1), through the schema's
// account_journal_prune() (version 7), which checks and prunes in this statement's transaction
// and refuses with SQLSTATE JA002, JA003 or JA004. Returns the stored checkpoint's seq and the
// entries and trades removed.
// Fencing (schema version 8): every commit's first statement checks the writer's epoch.
inline constexpr Statement kWriterCheck{"account_writer_check",
                                        "SELECT account_writer_check($1::bigint)"};

inline constexpr Statement kPruneJournal{
    "account_prune_journal",
    "SELECT checkpoint_seq, entries_removed, trades_removed FROM account_journal_prune("
    "$1::bigint, $2::bigint, $3::bytea, $4::bytea, $5::bytea, $6::bigint, $7::bigint <> 0)"};

// --- Reads ---------------------------------------------------------------------

#define ACCOUNT_PG_FILL_COLUMNS                                                      \
  "execution_id, symbol_id, qty_bp, price_cents, buyer_account_id, buyer_order_id, " \
  "seller_account_id, seller_order_id, tick, time_ns"
#define ACCOUNT_PG_TRADE_COLUMNS                                                      \
  "t.execution_id, t.account_id, t.order_id, t.symbol_id, t.side::bigint, t.qty_bp, " \
  "t.price_cents, t.notional_cents, t.realized_pnl_cents, t.tick, t.time_ns"

inline constexpr Statement kFindExecution{"account_find_execution",
                                          "SELECT " ACCOUNT_PG_FILL_COLUMNS
                                          " FROM executions WHERE execution_id = $1::bigint"};

inline constexpr Statement kTrades{"account_trades",
                                   "SELECT " ACCOUNT_PG_TRADE_COLUMNS
                                   " FROM trades AS t WHERE t.account_id = $1::bigint "
                                   "ORDER BY t.id DESC LIMIT $2::bigint"};

// History pages (account/history.h). Each reads one page and one row more, which says whether
// more follow. An optional filter is off when its flag parameter is 0 (libpq's binary
// parameters here carry no NULL), so that one prepared statement serves all.

// An account's trades after id $2 (the identity column: commit order, one writer at a time), of
// symbol $4 when $3 is not 0, at times in [$5, $6), through the (account_id, id) key: the index
// gives the order, and the scan stops at the limit. The id comes last.
inline constexpr Statement kTradePage{
    "account_trade_page",
    "SELECT " ACCOUNT_PG_TRADE_COLUMNS
    ", t.id FROM trades AS t WHERE t.account_id = $1::bigint AND t.id > $2::bigint "
    "AND ($3::bigint = 0 OR t.symbol_id = $4::bigint) AND t.time_ns >= $5::bigint "
    "AND t.time_ns < $6::bigint ORDER BY t.id LIMIT $7::bigint"};

// An account's external entries of kind $2 when not 0 (kinds are 1 to 4), at times in
// [$3, $4), after (time, key) ($5, $6), by time and key (bytea: byte order), through
// external_entries_account_id.
inline constexpr Statement kEntryPage{
    "account_entry_page",
    "SELECT key, kind::bigint, account_id, cash_cents, symbol_id, qty_bp, time_ns "
    "FROM external_entries WHERE account_id = $1::bigint "
    "AND ($2::bigint = 0 OR kind = $2::bigint) AND time_ns >= $3::bigint "
    "AND time_ns < $4::bigint AND (time_ns, key) > ($5::bigint, $6::bytea) "
    "ORDER BY time_ns, key LIMIT $7::bigint"};

// An account's reservations of status $2 when not 0 (statuses are 1 to 5), after id $3, in the
// ledger's unsigned order: ids are stored as their bit pattern, so those of 2^63 and above read
// as negative and (id < 0, id) orders them last. Through reservations_account_id; the server
// sorts one account's reservations, keeping the page's worth.
inline constexpr Statement kReservationPage{
    "account_reservation_page",
    "SELECT id, account_id, order_id, symbol_id, side::bigint, limit_cents, order_qty_bp, "
    "remaining_qty_bp, reserved_cash_cents, status::bigint, created_at_ns, expires_at_ns, "
    "updated_at_ns FROM reservations WHERE account_id = $1::bigint "
    "AND ($2::bigint = 0 OR status = $2::bigint) "
    "AND (id < 0, id) > ($3::bigint < 0, $3::bigint) ORDER BY id < 0, id LIMIT $4::bigint"};

inline constexpr Statement kLoadAccounts{
    "account_load_accounts",
    "SELECT id, google_id, display_name, cash_cents, created_at_ns, "
    "coalesce(sleeper_user_id, ''::bytea), coalesce(sleeper_username, ''::bytea), "
    "coalesce(sleeper_league_id, ''::bytea), coalesce(sleeper_season, ''::bytea), "
    "coalesce(sleeper_roster_id, 0)::bigint FROM accounts"};

inline constexpr Statement kLoadPositions{
    "account_load_positions",
    "SELECT account_id, symbol_id, qty_bp, cost_basis_cents, realized_pnl_cents "
    "FROM positions"};

// Active reservations, and finished ones updated at or after $1 (ns).
inline constexpr Statement kLoadReservations{
    "account_load_reservations",
    "SELECT id, account_id, order_id, symbol_id, side::bigint, limit_cents, order_qty_bp, "
    "remaining_qty_bp, reserved_cash_cents, status::bigint, created_at_ns, expires_at_ns, "
    "updated_at_ns FROM reservations WHERE status = 1 OR updated_at_ns >= $1::bigint"};

// The newest fill time (NULL without executions), through executions_time.
inline constexpr Statement kLoadNewestFillTime{"account_load_newest_fill_time",
                                               "SELECT max(time_ns) FROM executions"};

// Executions at or after $1 (ns): load() computes the window's start from
// the newest fill time first, so that the planner sees the bound and reads
// the table in order when the window holds most of it (3.5 s for ten
// million rows where the index took 5.5 s).
inline constexpr Statement kLoadExecutions{
    "account_load_executions",
    "SELECT " ACCOUNT_PG_FILL_COLUMNS " FROM executions WHERE time_ns >= $1::bigint"};

// The newest $1 trades of every account, through the (account_id, id) key:
// accounts in key order, each account's trades newest first (load()
// reverses each account's run), so that the order comes from the two
// indexes and the server sorts nothing. Ordered by (account_id, id) the
// server sorted the whole result on disk.
inline constexpr Statement kLoadTrades{
    "account_load_trades",
    "SELECT " ACCOUNT_PG_TRADE_COLUMNS
    " FROM accounts AS a CROSS JOIN LATERAL "
    "(SELECT * FROM trades WHERE trades.account_id = a.id ORDER BY trades.id DESC "
    "LIMIT $1::bigint) AS t ORDER BY a.id, t.id DESC"};

inline constexpr Statement kLoadEntries{
    "account_load_entries",
    "SELECT key, kind::bigint, account_id, cash_cents, symbol_id, qty_bp, time_ns "
    "FROM external_entries"};

// The largest reservation id as an unsigned number: ids are stored as their
// bit pattern, so any negative one is larger than every non-negative one.
inline constexpr Statement kLoadReservationHighWater{
    "account_load_reservation_high_water",
    "SELECT coalesce((SELECT max(id) FROM reservations WHERE id < 0), "
    "(SELECT max(id) FROM reservations), 0)::bigint"};

// The newest journal entry's seq and hash (no row without entries), through
// the primary key, backwards.
inline constexpr Statement kLoadJournalHead{
    "account_load_journal_head", "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1"};

// Up to $2 entries after seq $1, oldest first, through the primary key.
inline constexpr Statement kJournal{
    "account_journal",
    "SELECT seq, committed_at_ns, hash, bytes FROM journal WHERE seq > $1::bigint "
    "ORDER BY seq LIMIT $2::bigint"};

// A journal consumer's cursor (schema version 6); no row when it stored none.
inline constexpr Statement kJournalCursor{
    "account_journal_cursor", "SELECT seq FROM journal_cursors WHERE name = $1::text"};
inline constexpr Statement kSetJournalCursor{
    "account_set_journal_cursor",
    "INSERT INTO journal_cursors (name, seq) VALUES ($1::text, $2::bigint) "
    "ON CONFLICT (name) DO UPDATE SET seq = EXCLUDED.seq"};

// The checkpoint the last prune stored (schema version 7); no row when none was.
inline constexpr Statement kJournalCheckpoint{
    "account_journal_checkpoint",
    "SELECT seq, committed_at_ns, hash, state, digest FROM journal_checkpoints "
    "ORDER BY seq DESC LIMIT 1"};

#undef ACCOUNT_PG_FILL_COLUMNS
#undef ACCOUNT_PG_TRADE_COLUMNS

// The statements prepared on every session. The load statements are not
// among them: load() runs each once a load, through a cursor that it
// declares with the statement's text (stream_rows() in pg.h), which a
// prepared statement cannot feed.
inline constexpr Statement kAllStatements[] = {
    kInsertAccounts,    kUpdateBalances, kUpdateLinks,   kUpsertPositions, kUpsertReservations,
    kInsertExecutions,  kInsertTrades,   kInsertEntries, kAppendJournal,   kPruneJournal,
    kFindExecution,     kTrades,         kJournal,       kJournalCursor,   kSetJournalCursor,
    kJournalCheckpoint, kTradePage,      kEntryPage,     kReservationPage, kWriterCheck,
};

}  // namespace account::pg
