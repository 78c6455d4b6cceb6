// Private to account::sqlite: every statement of the store, prepared once at
// open and reused. Every value is a bound parameter, never part of the SQL
// text. Reads return INTEGER and BLOB columns in the order
// the readers in rows.cpp expect.
#pragma once

namespace account::sqlite {

struct Statement {
  const char* name;
  const char* sql;
};

// --- Writes (commit) ---------------------------------------------------------

// An INSERT whose VALUES list is written for 1, 8 or 64 rows at a time
// (RowsStatement in sqlite_store.cpp): `head`, then `columns` anonymous
// parameters per row, then `tail`. Rows bind in order, so the last image of
// a key wins within a statement as across statements.
struct InsertStatement {
  const char* name;
  const char* head;
  int columns;
  const char* tail;
};

inline constexpr InsertStatement kInsertAccounts{
    "insert_accounts",
    "INSERT INTO accounts (id, google_id, display_name, cash_cents, created_at_ns) VALUES ", 5,
    ""};

inline constexpr InsertStatement kUpsertPositions{
    "upsert_positions",
    "INSERT INTO positions (account_id, symbol_id, qty_bp, cost_basis_cents, "
    "realized_pnl_cents, avg_cost_cents) VALUES ",
    6,
    " ON CONFLICT (account_id, symbol_id) DO UPDATE SET qty_bp = excluded.qty_bp, "
    "cost_basis_cents = excluded.cost_basis_cents, "
    "realized_pnl_cents = excluded.realized_pnl_cents, "
    "avg_cost_cents = excluded.avg_cost_cents"};

inline constexpr InsertStatement kUpsertReservations{
    "upsert_reservations",
    "INSERT INTO reservations (id, account_id, order_id, symbol_id, side, limit_cents, "
    "order_qty_bp, remaining_qty_bp, reserved_cash_cents, status, created_at_ns, "
    "expires_at_ns, updated_at_ns) VALUES ",
    13,
    " ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, "
    "order_id = excluded.order_id, symbol_id = excluded.symbol_id, side = excluded.side, "
    "limit_cents = excluded.limit_cents, order_qty_bp = excluded.order_qty_bp, "
    "remaining_qty_bp = excluded.remaining_qty_bp, "
    "reserved_cash_cents = excluded.reserved_cash_cents, status = excluded.status, "
    "created_at_ns = excluded.created_at_ns, expires_at_ns = excluded.expires_at_ns, "
    "updated_at_ns = excluded.updated_at_ns"};

inline constexpr InsertStatement kInsertExecutions{
    "insert_executions",
    "INSERT INTO executions (execution_id, symbol_id, qty_bp, price_cents, buyer_account_id, "
    "buyer_order_id, seller_account_id, seller_order_id, tick, time_ns) VALUES ",
    10, ""};

// A trade's id is the rowid SQLite assigns: insertion order, row by row.
inline constexpr InsertStatement kInsertTrades{
    "insert_trades",
    "INSERT INTO trades (account_id, execution_id, order_id, symbol_id, side, qty_bp, "
    "price_cents, notional_cents, realized_pnl_cents, tick, time_ns) VALUES ",
    11, ""};

inline constexpr InsertStatement kInsertEntries{
    "insert_entries",
    "INSERT INTO external_entries (key, kind, account_id, cash_cents, symbol_id, qty_bp, "
    "time_ns) VALUES ",
    7, ""};

// Final cash of one account. No row updated means an account the file does
// not hold: the store fails the commit with NotFound (sqlite3_changes()), so
// balances are updated one statement a row.
inline constexpr Statement kUpdateBalance{"update_balance",
                                          "UPDATE accounts SET cash_cents = ?2 WHERE id = ?1"};

// The whole Sleeper link of one account; NotFound as for a balance.
inline constexpr Statement kUpdateLink{
    "update_link",
    "UPDATE accounts SET sleeper_user_id = ?2, sleeper_username = ?3, sleeper_league_id = ?4, "
    "sleeper_season = ?5, sleeper_roster_id = ?6 WHERE id = ?1"};

// One journal entry. The head check before it (kJournalHead, in the same
// transaction) makes a seq that does not follow the head a refusal, not a row.
inline constexpr Statement kInsertJournal{
    "insert_journal",
    "INSERT INTO journal (seq, committed_at_ns, hash, bytes) VALUES (?1, ?2, ?3, ?4)"};

// --- Retention (schema version 4): prune_journal() runs these in one write transaction ---------

// The stored entry a checkpoint must be of; no row when it is not stored.
inline constexpr Statement kJournalEntryAt{
    "journal_entry_at", "SELECT hash, committed_at_ns FROM journal WHERE seq = ?1"};
// The first cursor (by name) below a checkpoint's seq; no row when none is.
inline constexpr Statement kJournalCursorBehind{
    "journal_cursor_behind",
    "SELECT name, seq FROM journal_cursors WHERE seq < ?1 ORDER BY name LIMIT 1"};
// The row of an execution's last trade: a pass over the trades (no index by execution: every
// fill would pay for one), for a prune only.
inline constexpr Statement kLastTradeOf{
    "last_trade_of", "SELECT id FROM trades WHERE execution_id = ?1 ORDER BY id DESC LIMIT 1"};
inline constexpr Statement kDeleteTradesThrough{"delete_trades_through",
                                                "DELETE FROM trades WHERE id <= ?1"};
inline constexpr Statement kDeleteJournalThrough{"delete_journal_through",
                                                 "DELETE FROM journal WHERE seq <= ?1"};
inline constexpr Statement kDeleteCheckpoints{"delete_checkpoints",
                                              "DELETE FROM journal_checkpoints"};
inline constexpr Statement kInsertCheckpoint{
    "insert_checkpoint",
    "INSERT INTO journal_checkpoints (seq, committed_at_ns, hash, state, digest) "
    "VALUES (?1, ?2, ?3, ?4, ?5)"};

// --- Reads ---------------------------------------------------------------------

// The newest checkpoint; no row before the first prune.
inline constexpr Statement kJournalCheckpoint{
    "journal_checkpoint",
    "SELECT seq, committed_at_ns, hash, state, digest FROM journal_checkpoints "
    "ORDER BY seq DESC LIMIT 1"};

// The newest entry's seq and hash; no row for an empty journal. ORDER BY the
// rowid DESC LIMIT 1 is one descent to the B-tree's right edge, as max(seq) is,
// and returns the hash of the same row.
inline constexpr Statement kJournalHead{
    "journal_head", "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1"};

// Up to ?2 entries with seq > ?1, oldest first: a range scan of the rowid.
inline constexpr Statement kJournal{
    "journal",
    "SELECT seq, committed_at_ns, hash, bytes FROM journal WHERE seq > ?1 ORDER BY seq "
    "LIMIT ?2"};

// A journal consumer's cursor (schema version 3); no row when it stored none.
inline constexpr Statement kJournalCursor{
    "journal_cursor", "SELECT seq FROM journal_cursors WHERE name = ?1"};
inline constexpr Statement kSetJournalCursor{
    "set_journal_cursor",
    "INSERT INTO journal_cursors (name, seq) VALUES (?1, ?2) "
    "ON CONFLICT (name) DO UPDATE SET seq = excluded.seq"};

#define ACCOUNT_SQLITE_FILL_COLUMNS                                                  \
  "execution_id, symbol_id, qty_bp, price_cents, buyer_account_id, buyer_order_id, " \
  "seller_account_id, seller_order_id, tick, time_ns"
#define ACCOUNT_SQLITE_TRADE_COLUMNS                                                 \
  "execution_id, account_id, order_id, symbol_id, side, qty_bp, price_cents, "       \
  "notional_cents, realized_pnl_cents, tick, time_ns"

inline constexpr Statement kFindExecution{
    "find_execution",
    "SELECT " ACCOUNT_SQLITE_FILL_COLUMNS " FROM executions WHERE execution_id = ?1"};

// Newest first; a negative limit is no limit.
inline constexpr Statement kTrades{"trades",
                                   "SELECT " ACCOUNT_SQLITE_TRADE_COLUMNS
                                   " FROM trades WHERE account_id = ?1 ORDER BY id DESC "
                                   "LIMIT ?2"};

// History pages (account/history.h). Each reads one page and one row more, which says whether
// more follow; optional filters are NULL when unset, so that one prepared statement serves all.

// An account's trades after row ?2 (the rowid: commit order), of symbol ?3 when not NULL, at
// times in [?4, ?5), through trades_account_id (account_id, id): the index gives the order, and
// the scan stops at the limit. The id comes last, after the columns read_trade() reads.
inline constexpr Statement kTradePage{
    "trade_page",
    "SELECT " ACCOUNT_SQLITE_TRADE_COLUMNS
    ", id FROM trades WHERE account_id = ?1 AND id > ?2 AND (?3 IS NULL OR symbol_id = ?3) "
    "AND time_ns >= ?4 AND time_ns < ?5 ORDER BY id LIMIT ?6"};

// An account's external entries of kind ?2 when not NULL, at times in [?3, ?4), after (time,
// key) (?5, ?6), by time and key. The table has no index by account: entries are few (credits
// and issues, not fills), so the scan and the sort of one account's are cheap.
inline constexpr Statement kEntryPage{
    "entry_page",
    "SELECT key, kind, account_id, cash_cents, symbol_id, qty_bp, time_ns FROM external_entries "
    "WHERE account_id = ?1 AND (?2 IS NULL OR kind = ?2) AND time_ns >= ?3 AND time_ns < ?4 "
    "AND (time_ns, key) > (?5, ?6) ORDER BY time_ns, key LIMIT ?7"};

// An account's reservations of status ?2 when not NULL, with stored ids from ?3 to ?4, by id:
// a range of the rowid, stopping at the limit. The store asks for the non-negative range, then
// the negative one (ids of 2^63 and above: history_query.h).
inline constexpr Statement kReservationPage{
    "reservation_page",
    "SELECT id, account_id, order_id, symbol_id, side, limit_cents, order_qty_bp, "
    "remaining_qty_bp, reserved_cash_cents, status, created_at_ns, expires_at_ns, "
    "updated_at_ns FROM reservations WHERE account_id = ?1 AND (?2 IS NULL OR status = ?2) "
    "AND id >= ?3 AND id <= ?4 ORDER BY id LIMIT ?5"};

inline constexpr Statement kLoadAccounts{
    "load_accounts",
    "SELECT id, google_id, display_name, cash_cents, created_at_ns, sleeper_user_id, "
    "sleeper_username, sleeper_league_id, sleeper_season, sleeper_roster_id FROM accounts"};

inline constexpr Statement kLoadPositions{
    "load_positions",
    "SELECT account_id, symbol_id, qty_bp, cost_basis_cents, realized_pnl_cents "
    "FROM positions"};

// Active reservations, and finished ones updated at or after ?1 (ns).
inline constexpr Statement kLoadReservations{
    "load_reservations",
    "SELECT id, account_id, order_id, symbol_id, side, limit_cents, order_qty_bp, "
    "remaining_qty_bp, reserved_cash_cents, status, created_at_ns, expires_at_ns, "
    "updated_at_ns FROM reservations WHERE status = 1 OR updated_at_ns >= ?1"};

// The newest fill time (NULL without executions), through executions_time.
inline constexpr Statement kNewestFillTime{"newest_fill_time",
                                           "SELECT max(time_ns) FROM executions"};

// Executions at or after ?1 (ns), through executions_time.
inline constexpr Statement kLoadExecutions{
    "load_executions",
    "SELECT " ACCOUNT_SQLITE_FILL_COLUMNS " FROM executions WHERE time_ns >= ?1"};

inline constexpr Statement kLoadEntries{
    "load_entries",
    "SELECT key, kind, account_id, cash_cents, symbol_id, qty_bp, time_ns FROM external_entries"};

// The largest reservation id as an unsigned number: ids are stored as their
// bit pattern, so any negative one is larger than every non-negative one.
inline constexpr Statement kReservationHighWater{
    "reservation_high_water",
    "SELECT coalesce((SELECT max(id) FROM reservations WHERE id < 0), "
    "(SELECT max(id) FROM reservations), 0)"};

// A read that touches the file: ping().
inline constexpr Statement kPing{"ping", "SELECT max(version) FROM schema_migrations"};

#undef ACCOUNT_SQLITE_FILL_COLUMNS
#undef ACCOUNT_SQLITE_TRADE_COLUMNS

}  // namespace account::sqlite
