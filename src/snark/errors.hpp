// The one exception type of the file readers and writers (binary formats and JSON artefacts).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace provernet::snark {

// Bad input (or an I/O failure) in a file: what() is one line, "<file>: <problem>", e.g.
// "circuit.zkey: section 7 (B2) point 12 is not on the curve". file() and problem() give the
// two halves separately.
struct FormatError : std::runtime_error {
    FormatError(std::string file, std::string problem)
        : std::runtime_error(one_line(file + ": " + problem)), file_(std::move(file)), problem_(std::move(problem))
    {
    }

    const std::string& file() const noexcept { return file_; }
    const std::string& problem() const noexcept { return problem_; }

private:
    static std::string one_line(std::string s)
    {
        for (char& c : s)
            if (c == '\n' || c == '\r')
                c = ' ';
        return s;
    }

    std::string file_;
    std::string problem_;
};

}  // namespace provernet::snark
