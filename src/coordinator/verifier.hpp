// Batched Groth16 verification for the coordinator: fulfil handlers submit (key, signals, proof)
// and wait; worker threads take what is queued, under load after a short window (or until the
// batch is full), group it by verification key and check each group with one groth16_verify_batch (one
// multi-Miller loop and one final exponentiation for the whole group).
#pragma once

#include "snark/groth16_batch_verifier.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace provernet::coordinator {

class BatchVerifier {
public:
    BatchVerifier(size_t max_batch, std::chrono::microseconds window, unsigned threads);
    ~BatchVerifier();  // stops; pending jobs get an exception
    BatchVerifier(const BatchVerifier&) = delete;
    BatchVerifier& operator=(const BatchVerifier&) = delete;

    // The verdict of groth16_verify(vk, signals, proof). The caller has checked the signal count
    // (the prepared key is checked by its constructor) and the proof's points and the signals (as
    // snark::parse_proof_json / parse_public_json do): only the pairing work is done here.
    std::future<bool> submit(std::shared_ptr<const snark::PreparedVerificationKey> vk, std::vector<math::U256> signals,
                             snark::Proof proof);
    // The same, delivered to `done` on a verifier thread (an exception as `error`, then the
    // verdict is false): the caller need not hold a thread while it waits.
    using Done = std::function<void(bool valid, std::exception_ptr error)>;
    void submit(std::shared_ptr<const snark::PreparedVerificationKey> vk, std::vector<math::U256> signals, snark::Proof proof,
                Done done);
    struct Job {
        std::shared_ptr<const snark::PreparedVerificationKey> vk;
        std::vector<math::U256> signals;
        snark::Proof proof;
        Done done;
    };
    // Several at once (a signed batch's proofs): queued together, so they share one batch check.
    void submit(std::vector<Job> jobs);

    // Proofs verified and batch checks run so far (proofs / batches: the mean batch size).
    struct Stats {
        uint64_t proofs = 0;
        uint64_t batches = 0;
    };
    Stats stats() const { return {proofs_.load(), batches_.load()}; }

private:
    void run();

    size_t max_batch_;
    std::chrono::microseconds window_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Job> queue_;
    size_t last_batch_size_ = 0;  // guarded by mutex_
    bool stopping_ = false;
    std::vector<std::thread> threads_;
    std::atomic<uint64_t> proofs_{0}, batches_{0};
};

}  // namespace provernet::coordinator
