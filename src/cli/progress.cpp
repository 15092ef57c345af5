#include "cli/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace provernet::cli {

Progress::Progress(std::string_view task)
    : enabled_(isatty(STDERR_FILENO) != 0), task_(task), start_(std::chrono::steady_clock::now())
{
}

Progress::~Progress()
{
    if (enabled_)
        std::fputc('\n', stderr);
}

void Progress::operator()(std::string_view stage, double done)
{
    if (!enabled_)
        return;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const int width = 30, filled = int(done * width + 0.5);
    std::fprintf(stderr, "\r\033[K%.*s [", int(task_.size()), task_.data());
    for (int i = 0; i < width; ++i)
        std::fputc(i < filled ? '#' : '.', stderr);
    std::fprintf(stderr, "] %3d%% %-14.*s %6.2fs", int(done * 100 + 0.5), int(stage.size()), stage.data(), secs);
    std::fflush(stderr);
}

}  // namespace provernet::cli
