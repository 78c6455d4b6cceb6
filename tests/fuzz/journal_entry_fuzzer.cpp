// Fuzz target: decode_entry() over arbitrary bytes, as a store's damaged or hostile journal row.
// What must hold: no crash, no read past the input, no allocation the input's size does not
// bound; an accepted entry is canonical: encoding it again gives exactly the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "journal/entry_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<account::JournalEntry> entry = account::internal::decode_entry(bytes);
  if (!entry.ok()) {
    if (entry.status().code() != absl::StatusCode::kDataLoss) std::abort();
    return 0;
  }
  if (account::internal::encode_entry(entry->seq, entry->committed_at, entry->events) != bytes) {
    std::abort();
  }
  return 0;
}
