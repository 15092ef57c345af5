#include "settlement/json_rpc.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cctype>
#include <optional>

namespace provernet::settlement {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

namespace {

struct ParsedUrl {
    std::string host;
    uint16_t port = 80;
    std::string target = "/";
};

ParsedUrl parse_url(std::string_view url)
{
    const auto bad = [&](const std::string& why) {
        return std::invalid_argument("JSON-RPC URL \"" + std::string(url) + "\": " + why);
    };
    std::string_view rest = url;
    if (rest.starts_with("https://"))
        throw bad("https is not supported (plain http only)");
    if (!rest.starts_with("http://"))
        throw bad("expected http://host:port[/path]");
    rest.remove_prefix(7);
    ParsedUrl out;
    const size_t slash = rest.find('/');
    if (slash != std::string_view::npos)
        out.target = std::string(rest.substr(slash));
    rest = rest.substr(0, slash);
    std::string_view port_text;
    if (rest.starts_with("[")) {  // [::1]:8545
        const size_t close = rest.find(']');
        if (close == std::string_view::npos)
            throw bad("unterminated '['");
        out.host = std::string(rest.substr(1, close - 1));
        rest.remove_prefix(close + 1);
        if (!rest.empty() && !rest.starts_with(":"))
            throw bad("unexpected text after ']'");
        if (!rest.empty())
            port_text = rest.substr(1);
    } else {
        const size_t colon = rest.find(':');
        out.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = rest.substr(colon + 1);
            if (port_text.empty())
                throw bad("empty port");
        }
    }
    if (out.host.empty())
        throw bad("no host");
    if (port_text.empty())
        return out;
    unsigned port = 0;
    for (const char c : port_text) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || port > 65535)
            throw bad("invalid port \"" + std::string(port_text) + "\"");
        port = port * 10 + unsigned(c - '0');
    }
    if (port == 0 || port > 65535)
        throw bad("invalid port \"" + std::string(port_text) + "\"");
    out.port = uint16_t(port);
    return out;
}

std::string clip(std::string_view s, size_t n = 200)
{
    return s.size() > n ? std::string(s.substr(0, n)) + "..." : std::string(s);
}

}  // namespace

struct JsonRpcClient::Impl {
    std::string url;
    ParsedUrl parsed;
    std::chrono::milliseconds timeout;
    size_t max_response_bytes = 32 * 1024 * 1024;
    net::io_context ioc{1};
    std::optional<tcp::resolver::results_type> endpoints;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    size_t opened = 0;
    uint64_t next_id = 1;

    // Runs the io_context on this thread until the operation started by `start` completes; the
    // deadline is the tcp_stream's expiry (the operation then fails with beast::error::timeout).
    template <typename Start>
    beast::error_code run(Start&& start)
    {
        beast::error_code result;
        bool done = false;
        start([&](beast::error_code ec, auto&&...) {
            result = ec;
            done = true;
        });
        ioc.restart();
        while (!done && ioc.run_one() > 0) {
        }
        if (!done)
            throw RpcTransportError(url + ": internal error: an I/O operation never completed");
        return result;
    }

    void drop()
    {
        if (stream) {
            beast::error_code ignored;
            stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
            stream->close();
            stream.reset();
        }
        buffer.clear();
    }

    std::string describe(beast::error_code ec) const
    {
        if (ec == beast::error::timeout)
            return "timed out after " + std::to_string(timeout.count()) + " ms";
        return ec.message();
    }

    void connect()
    {
        beast::error_code ec;
        if (!endpoints) {
            tcp::resolver resolver(ioc);
            auto results = resolver.resolve(parsed.host, std::to_string(parsed.port), ec);
            if (ec || results.empty())
                throw RpcTransportError(url + ": cannot resolve \"" + parsed.host + "\": " + ec.message());
            endpoints = std::move(results);
        }
        stream.emplace(ioc);
        stream->expires_after(timeout);
        ec = run([&](auto handler) { stream->async_connect(*endpoints, std::move(handler)); });
        if (ec) {
            stream.reset();
            endpoints.reset();  // resolve again next time
            throw RpcTransportError(url + ": cannot connect: " + describe(ec));
        }
        stream->socket().set_option(tcp::no_delay(true), ec);
        ++opened;
    }

    // One HTTP exchange; reconnects once when a reused connection was closed before answering.
    http::response<http::string_body> exchange(const std::string& body, std::string_view method)
    {
        http::request<http::string_body> request{http::verb::post, parsed.target, 11};
        request.set(http::field::host, parsed.host + ":" + std::to_string(parsed.port));
        request.set(http::field::user_agent, "provernet");
        request.set(http::field::content_type, "application/json");
        request.keep_alive(true);
        request.body() = body;
        request.prepare_payload();

        const std::string where = url + " (" + std::string(method) + ")";
        for (int attempt = 0;; ++attempt) {
            const bool reused = stream.has_value();
            if (!stream)
                connect();
            stream->expires_after(timeout);
            beast::error_code ec = run([&](auto handler) { http::async_write(*stream, request, std::move(handler)); });
            if (ec) {
                drop();
                if (reused && attempt == 0 && ec != beast::error::timeout)
                    continue;
                throw RpcTransportError(where + ": sending the request failed: " + describe(ec));
            }
            http::response_parser<http::string_body> parser;
            parser.header_limit(64 * 1024);
            // Boost 1.74's parser misses body_limit when it parses header and body in one go
            // (eager reads), so the size is also checked here: the announced length after the
            // header, the received bytes while reading.
            parser.body_limit(std::uint64_t(max_response_bytes));
            ec = run([&](auto handler) { http::async_read_header(*stream, buffer, parser, std::move(handler)); });
            const auto too_large = [&] {
                const auto announced = parser.content_length();
                return (announced && *announced > max_response_bytes) ||
                       parser.get().body().size() > max_response_bytes;
            };
            while (!ec && !parser.is_done()) {
                if (too_large()) {
                    ec = http::error::body_limit;
                    break;
                }
                ec = run([&](auto handler) { http::async_read_some(*stream, buffer, parser, std::move(handler)); });
            }
            if (!ec && too_large())
                ec = http::error::body_limit;
            if (ec) {
                const bool nothing_received = !parser.got_some();
                drop();
                if (reused && attempt == 0 && nothing_received && ec != beast::error::timeout)
                    continue;
                if (ec == http::error::body_limit)
                    throw RpcTransportError(where + ": response larger than " + std::to_string(max_response_bytes) +
                                            " bytes");
                throw RpcTransportError(where + ": reading the response failed: " + describe(ec));
            }
            auto response = parser.release();
            if (!response.keep_alive())
                drop();
            return response;
        }
    }
};

JsonRpcClient::JsonRpcClient(std::string url, std::chrono::milliseconds timeout) : impl_(std::make_unique<Impl>())
{
    impl_->parsed = parse_url(url);
    impl_->url = std::move(url);
    if (timeout.count() <= 0)
        throw std::invalid_argument("JSON-RPC client for " + impl_->url + ": timeout must be positive");
    impl_->timeout = timeout;
}

JsonRpcClient::~JsonRpcClient()
{
    if (impl_)
        impl_->drop();
}
JsonRpcClient::JsonRpcClient(JsonRpcClient&&) noexcept = default;
JsonRpcClient& JsonRpcClient::operator=(JsonRpcClient&&) noexcept = default;

const std::string& JsonRpcClient::url() const { return impl_->url; }
void JsonRpcClient::set_max_response_bytes(size_t limit) { impl_->max_response_bytes = limit; }
size_t JsonRpcClient::connections_opened() const { return impl_->opened; }

nlohmann::json JsonRpcClient::call(std::string_view method, nlohmann::json params)
{
    Impl& impl = *impl_;
    const uint64_t id = impl.next_id++;
    const nlohmann::json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
    const auto response = impl.exchange(request.dump(), method);
    const std::string where = impl.url + " (" + std::string(method) + ")";

    auto body = nlohmann::json::parse(response.body(), nullptr, false);
    const bool is_rpc = body.is_object() && (body.contains("result") || body.contains("error"));
    if (!is_rpc) {
        if (response.result_int() != 200)
            throw RpcTransportError(where + ": HTTP " + std::to_string(response.result_int()) + ": " +
                                    clip(response.body()));
        throw RpcTransportError(where + ": response is not a JSON-RPC object: " + clip(response.body()));
    }
    if (body.contains("id") && body["id"] != nlohmann::json(id))
        throw RpcTransportError(where + ": response id " + body["id"].dump() + " does not match request id " +
                                std::to_string(id));
    if (body.contains("error") && !body["error"].is_null()) {
        const auto& error = body["error"];
        int64_t code = 0;
        std::string message = "(no message)";
        std::string data;
        if (error.is_object()) {
            if (error.contains("code") && error["code"].is_number_integer())
                code = error["code"].get<int64_t>();
            if (error.contains("message") && error["message"].is_string())
                message = error["message"].get<std::string>();
            if (error.contains("data") && !error["data"].is_null()) {
                const auto& d = error["data"];
                if (d.is_string())
                    data = d.get<std::string>();
                else if (d.is_object() && d.contains("data") && d["data"].is_string())
                    data = d["data"].get<std::string>();  // some nodes nest the revert data
                else
                    data = d.dump();
            }
        } else {
            message = error.dump();
        }
        // Built first: the order in which arguments are evaluated is unspecified, so the message
        // must not be moved from in the same call.
        std::string what = where + ": " + message + " (code " + std::to_string(code) + ")";
        throw RpcError(std::move(what), code, std::move(message), std::move(data));
    }
    return std::move(body["result"]);
}

}  // namespace provernet::settlement
