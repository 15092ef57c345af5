// Progress lines on stderr, only when stderr is a terminal (scripts and logs stay clean).
#pragma once

#include <chrono>
#include <string_view>

namespace provernet::cli {

class Progress {
public:
    explicit Progress(std::string_view task);
    ~Progress();
    void operator()(std::string_view stage, double done);

private:
    bool enabled_;
    std::string_view task_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace provernet::cli
