// Uses the installed account::postgres component: PostgresStore::open is called (libpq on the link
// line) against an address where no server listens, and must fail as Unavailable, cleanly.
#include <cstdio>

#include "account/postgres/postgres_store.h"

int main() {
  const auto store =
      account::PostgresStore::open("postgresql://consumer@127.0.0.1:1/none?connect_timeout=2", {});
  if (store.ok() || store.status().code() != absl::StatusCode::kUnavailable) {
    std::fputs("PostgresStore::open on a closed port did not fail as Unavailable\n", stderr);
    return 1;
  }
  std::puts("account postgres consumer: ok");
  return 0;
}
