// A synchronous Ethereum JSON-RPC 2.0 client over plain HTTP/1.1 (Beast behind a pimpl).
//
// One JsonRpcClient holds one keep-alive connection to one node and reuses it. If a reused
// connection turns out to be closed (node restart, idle timeout) before any byte of the answer
// arrived, the client reconnects and sends the request once more. Not thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace provernet::settlement {

// The node answered with a JSON-RPC error object. what(): "<method>: <message> (code <code>)".
struct RpcError : std::runtime_error {
    RpcError(const std::string& what, int64_t code, std::string message, std::string data)
        : std::runtime_error(what), code(code), message(std::move(message)), data(std::move(data))
    {
    }
    int64_t code = 0;
    std::string message;  // the node's error message as sent
    std::string data;     // error.data: the 0x-hex revert data of a failed call when present, else
                          // the data member's JSON text (empty when absent)
};

// Transport failures (cannot connect, timeout, connection lost, HTTP status other than 200 with
// no JSON-RPC body, oversized or malformed response). The message names the URL.
struct RpcTransportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class JsonRpcClient {
public:
    // url: "http://host:port[/path]". Throws std::invalid_argument naming the URL if malformed.
    // timeout bounds connecting and each whole request/response exchange.
    explicit JsonRpcClient(std::string url, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~JsonRpcClient();
    JsonRpcClient(JsonRpcClient&&) noexcept;
    JsonRpcClient& operator=(JsonRpcClient&&) noexcept;

    // Sends {"jsonrpc":"2.0","id":n,"method":method,"params":params} and returns "result".
    // Throws RpcError for an error object, RpcTransportError (a std::runtime_error) otherwise.
    nlohmann::json call(std::string_view method, nlohmann::json params = nlohmann::json::array());

    const std::string& url() const;
    // Responses larger than this are rejected (RpcTransportError). Default 32 MiB.
    void set_max_response_bytes(size_t limit);
    // Connections opened so far (tests check keep-alive reuse).
    size_t connections_opened() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace provernet::settlement
