// Private to account::sqlite: looks for damage in a WAL file that a writer
// left behind (it crashed, or was killed), before SQLite recovers it.
//
// SQLite's recovery reads the WAL's frames in order, checking each frame's
// checksum, which chains from the one before, and stops at the first that
// fails: everything after it is dropped without an error. That is right for
// the torn tail a power cut leaves (a transaction whose frames were not all
// written was never acknowledged), and wrong for a flipped bit in the middle,
// which drops every commit after it, acknowledged ones included.
//
// The two can be told apart because each frame's checksum chains from the
// checksum stored in the frame before it: a frame past the first bad one can
// still be checked against its own predecessor. A commit frame that checks
// out and is followed by a frame that checks out against it means that
// another transaction began after that commit, and with synchronous=FULL
// that commit was fsynced, and so acknowledged, before it did: a commit the
// recovery would lose. Frames left over from a transaction that rolled back
// never chain from a later commit, so they cannot look like one. A damaged
// last transaction stays indistinguishable from a torn one, and is left to
// SQLite.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace account::sqlite {

// OK when the WAL at `wal_path` is missing, empty, or would lose no
// acknowledged commit in recovery; DataLoss naming the first bad frame when
// it would. Reads the whole file, once.
absl::Status check_wal(const std::string& wal_path);

}  // namespace account::sqlite
