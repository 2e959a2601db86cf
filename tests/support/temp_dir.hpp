// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with everything in it on
// destruction unless MINSHENG_KEEP_TEST_DIRS is set (for looking at a failure).
#pragma once

#include <filesystem>
#include <string>

namespace minsheng::test {

class TempDir {
public:
    explicit TempDir(const std::string& prefix = "minsheng-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

/// Whole file as bytes in a string; throws if it cannot be read.
std::string readFile(const std::filesystem::path& path);
/// Replaces the file's contents; throws on failure.
void writeFile(const std::filesystem::path& path, const std::string& contents);

/// Path of the source tree and build tree (compiled in).
std::filesystem::path sourceDir();
std::filesystem::path binaryDir();

} // namespace minsheng::test
