// History pages on MemoryStore (history_pages_cases.h): the pages are read from the writer's own
// store, which serves queries beside its commits.
#include <catch2/catch.hpp>
#include <memory>

#include "account/memory_store.h"
#include "history_pages_cases.h"

namespace account {
namespace {

testing::history::HistoryStores memory_history_stores() {
  auto store = std::make_shared<MemoryStore>();
  return {.writer = store, .reader = store};
}

ACCOUNT_HISTORY_PAGES_TESTS("MemoryStore", "memory", memory_history_stores)

}  // namespace
}  // namespace account
