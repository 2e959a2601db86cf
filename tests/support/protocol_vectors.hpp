// The test vectors of docs/protocol.md section 12, as the tests that recompute them read them.
//
// Two forms live in the document:
//   ```vectors            one "name: value" per line (values without line breaks)
//   ```vector NAME        a multi-line value (a key file), its text up to the closing fence
#pragma once

#include <map>
#include <string>

namespace minsheng::test {

/// Every vector of docs/protocol.md by name. Throws std::runtime_error when the document has no
/// vectors block; a missing name is the caller's check.
std::map<std::string, std::string> protocolVectors();

} // namespace minsheng::test
