// Private to account::sqlite: a VFS shim that keeps a checksum in the last
// 8 bytes of every page of a database file and verifies it whenever a page
// is read from the file, so that a flipped bit anywhere, in a stored cash
// figure as much as in the B-tree's structure, is an error (SQLITE_IOERR_DATA)
// rather than data. SQLite itself checksums only WAL frames, and only when it
// recovers the WAL.
//
// The format is that of SQLite's own cksumvfs extension (ext/misc/cksumvfs.c):
// two 32-bit sums over the page's little-endian words, stored little-endian,
// active only on files whose header reserves exactly 8 bytes per page (byte 20
// of the header). So a file this store wrote can be checked with that
// extension's verify_checksum(), and any SQLite reads it: the reserved bytes
// are part of the standard file format. A program writing the file without
// the shim leaves stale checksums behind, and the store then refuses the file
// as damaged; writers other than the store are not supported.
//
// As in cksumvfs, only the main database file is wrapped: pages travel to
// and from the WAL file as they are (SQLite's frame checksums cover them
// there), and get their checksum when a checkpoint copies them into the
// database file. Memory-mapped reads are refused, so that every page read
// from the file passes through the check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace account::sqlite {

inline constexpr int kChecksumBytes = 8;

// The name of the shim, registered with SQLite on the first call (not as the
// default VFS): pass it to sqlite3_open_v2(). Thread-safe.
const char* checksum_vfs();

// The checksum of `bytes` bytes at `data` (a multiple of 8), as the shim
// writes it into the last 8 bytes of a page: over all but those 8 bytes.
void page_checksum(const unsigned char* data, size_t bytes, unsigned char out[kChecksumBytes]);

// A description of the last checksum fault the shim found on this thread
// ("page 7 (offset 24576) of /path/ledger.db"), and clears it; empty when
// there was none since the last call.
std::string take_checksum_fault();

}  // namespace account::sqlite
