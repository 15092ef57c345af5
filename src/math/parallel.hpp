// Minimal fork-join parallelism: run a function over index ranges on all hardware threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace provernet::math {

inline unsigned thread_count()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
}

// Calls fn(begin, end) on disjoint chunks covering [0, n), one chunk per thread, and waits.
// The first exception thrown by a chunk is rethrown after all threads finish.
template <class Fn>
void parallel_for_chunks(size_t n, Fn&& fn, unsigned threads = 0)
{
    if (threads == 0)
        threads = thread_count();
    threads = unsigned(std::min<size_t>(threads, n));
    if (threads <= 1) {
        if (n > 0)
            fn(size_t(0), n);
        return;
    }
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(threads);
    pool.reserve(threads - 1);
    const size_t chunk = (n + threads - 1) / threads;
    for (unsigned t = 1; t < threads; ++t) {
        const size_t b = t * chunk, e = std::min(n, b + chunk);
        if (b >= e)
            break;
        pool.emplace_back([&, t, b, e] {
            try {
                fn(b, e);
            } catch (...) {
                errors[t] = std::current_exception();
            }
        });
    }
    try {
        fn(size_t(0), std::min(n, chunk));
    } catch (...) {
        errors[0] = std::current_exception();
    }
    for (auto& th : pool)
        th.join();
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);
}

// Calls fn(i) for every i in [0, n), with items handed out dynamically (for uneven work).
template <class Fn>
void parallel_for_each(size_t n, Fn&& fn, unsigned threads = 0)
{
    if (threads == 0)
        threads = thread_count();
    threads = unsigned(std::min<size_t>(threads, n));
    if (threads <= 1) {
        for (size_t i = 0; i < n; ++i)
            fn(i);
        return;
    }
    std::atomic<size_t> next{0};
    parallel_for_chunks(
        threads,
        [&](size_t, size_t) {
            for (size_t i; (i = next.fetch_add(1)) < n;)
                fn(i);
        },
        threads);
}

}  // namespace provernet::math
