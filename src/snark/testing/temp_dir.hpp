// A fresh directory under /tmp for a test's files, removed with everything in it when the test
// ends (tests of every layer that write keys, proofs or fixtures use it).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace provernet::testing {

struct TempDir {
    std::string path;
    explicit TempDir(const std::string& label = "test")
    {
        std::string pattern = "/tmp/provernet-" + label + "-XXXXXX";
        const char* p = ::mkdtemp(pattern.data());
        if (p == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
        path = p;
    }
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path + "/" + name; }
};

}  // namespace provernet::testing
