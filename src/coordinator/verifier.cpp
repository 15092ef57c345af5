#include "coordinator/verifier.hpp"

#include <map>

#include <pthread.h>
#include <stdexcept>

namespace provernet::coordinator {

BatchVerifier::BatchVerifier(size_t max_batch, std::chrono::microseconds window, unsigned threads)
    : max_batch_(max_batch == 0 ? 1 : max_batch), window_(window)
{
    for (unsigned i = 0; i < (threads == 0 ? 1 : threads); ++i)
        threads_.emplace_back([this] {
            pthread_setname_np(pthread_self(), "pn-verify");
            run();
        });
}

BatchVerifier::~BatchVerifier()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
    for (Job& job : queue_) job.done(false, std::make_exception_ptr(std::runtime_error("the coordinator is stopping")));
}

std::future<bool> BatchVerifier::submit(std::shared_ptr<const snark::PreparedVerificationKey> vk,
                                        std::vector<math::U256> signals, snark::Proof proof)
{
    auto verdict = std::make_shared<std::promise<bool>>();
    std::future<bool> result = verdict->get_future();
    submit(std::move(vk), std::move(signals), proof, [verdict](bool valid, std::exception_ptr error) {
        if (error)
            verdict->set_exception(error);
        else
            verdict->set_value(valid);
    });
    return result;
}

void BatchVerifier::submit(std::shared_ptr<const snark::PreparedVerificationKey> vk, std::vector<math::U256> signals,
                           snark::Proof proof, Done done)
{
    {
        std::lock_guard lock(mutex_);
        if (stopping_) throw std::runtime_error("the coordinator is stopping");
        queue_.push_back(Job{std::move(vk), std::move(signals), proof, std::move(done)});
    }
    cv_.notify_one();
}

void BatchVerifier::submit(std::vector<Job> jobs)
{
    {
        std::lock_guard lock(mutex_);
        if (stopping_) throw std::runtime_error("the coordinator is stopping");
        for (Job& job : jobs) queue_.push_back(std::move(job));
    }
    cv_.notify_one();
}

void BatchVerifier::run()
{
    for (;;) {
        std::vector<Job> batch;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            // Under load (the last batch had company), a short wait lets concurrent fulfils join
            // the batch: the pairing work saved per extra proof (a final exponentiation and
            // three pairings shared) is far larger than the window. A lone proof at light load
            // is verified at once.
            if (queue_.size() < max_batch_ && last_batch_size_ > 1)
                cv_.wait_for(lock, window_, [&] { return stopping_ || queue_.size() >= max_batch_; });
            if (stopping_) return;
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            last_batch_size_ = batch.size();
        }
        std::map<const snark::PreparedVerificationKey*, std::vector<size_t>> groups;
        for (size_t i = 0; i < batch.size(); ++i) groups[batch[i].vk.get()].push_back(i);
        for (auto& [vk, indices] : groups) {
            std::vector<snark::BatchItem> items;
            for (size_t i : indices) items.push_back({batch[i].signals, &batch[i].proof});
            try {
                // Keys are checked and prepared when a circuit is registered or loaded, proofs
                // and signals when a fulfil is parsed: the batch only does the pairing work.
                const std::vector<bool> verdicts =
                    snark::groth16_verify_batch(*vk, items, {.items_checked = true});
                proofs_ += items.size();
                ++batches_;
                for (size_t k = 0; k < indices.size(); ++k) batch[indices[k]].done(verdicts[k], nullptr);
            } catch (...) {
                for (size_t i : indices) batch[i].done(false, std::current_exception());
            }
        }
    }
}

}  // namespace provernet::coordinator
