#include "coordinator/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cctype>

namespace provernet::coordinator {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string error_message_of(const std::string& body) {
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
        return parsed["error"].get<std::string>();
    }
    return body.size() > 200 ? body.substr(0, 200) + "..." : body;
}

}  // namespace

std::pair<std::string, uint16_t> parse_http_url(std::string_view url) {
    std::string_view rest = url;
    if (rest.starts_with("https://")) {
        throw std::invalid_argument("URL \"" + std::string(url) + "\": https is not supported (plain http only)");
    }
    if (rest.starts_with("http://")) rest.remove_prefix(7);
    rest = rest.substr(0, rest.find('/'));
    std::string host;
    std::string_view port_text;
    if (rest.starts_with("[")) {  // [::1]:8080
        size_t close = rest.find(']');
        if (close == std::string_view::npos) throw std::invalid_argument("URL \"" + std::string(url) + "\": unterminated '['");
        host = std::string(rest.substr(1, close - 1));
        rest.remove_prefix(close + 1);
        if (rest.starts_with(":")) port_text = rest.substr(1);
    } else {
        size_t colon = rest.find(':');
        host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
    }
    if (host.empty()) throw std::invalid_argument("URL \"" + std::string(url) + "\": no host");
    if (port_text.empty()) return {host, 80};
    unsigned port = 0;
    for (char c : port_text) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || port > 65535) {
            throw std::invalid_argument("URL \"" + std::string(url) + "\": invalid port \"" + std::string(port_text) + "\"");
        }
        port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port == 0 || port > 65535) {
        throw std::invalid_argument("URL \"" + std::string(url) + "\": invalid port \"" + std::string(port_text) + "\"");
    }
    return {host, static_cast<uint16_t>(port)};
}

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return std::string_view(value);
    }
    return std::nullopt;
}

nlohmann::json HttpResponse::json() const {
    try {
        return nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
        throw HttpClientError("response body (status " + std::to_string(status) + ") is not valid JSON: " + e.what());
    }
}

struct HttpClient::Impl {
    std::string host;
    uint16_t port;
    HttpClientOptions options;
    net::io_context ioc{1};
    std::optional<tcp::resolver::results_type> endpoints;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    size_t opened = 0;

    std::string url(std::string_view method, std::string_view target) const {
        return std::string(method) + " http://" + host + ":" + std::to_string(port) + std::string(target);
    }

    // Runs the io_context on this thread until the operation started by `start` completes.
    // Deadlines come from the tcp_stream's expiry (the operation then fails with timeout).
    template <typename Start>
    beast::error_code run(Start&& start) {
        beast::error_code result;
        bool done = false;
        start([&](beast::error_code ec, auto&&...) {
            result = ec;
            done = true;
        });
        ioc.restart();
        while (!done && ioc.run_one() > 0) {
        }
        if (!done) throw HttpClientError("internal error: an HTTP operation never completed");
        return result;
    }

    void drop() {
        if (stream) {
            beast::error_code ignored;
            stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
            stream->close();
            stream.reset();
        }
        buffer.clear();
    }

    std::string describe(beast::error_code ec, std::chrono::milliseconds limit) const {
        if (ec == beast::error::timeout) return "timed out after " + std::to_string(limit.count()) + " ms";
        return ec.message();
    }

    void connect(std::string_view method, std::string_view target) {
        beast::error_code ec;
        if (!endpoints) {
            tcp::resolver resolver(ioc);
            auto results = resolver.resolve(host, std::to_string(port), ec);
            if (ec || results.empty()) {
                throw HttpClientError(url(method, target) + ": cannot resolve \"" + host + "\": " + ec.message());
            }
            endpoints = std::move(results);
        }
        stream.emplace(ioc);
        stream->expires_after(options.connect_timeout);
        ec = run([&](auto handler) { stream->async_connect(*endpoints, std::move(handler)); });
        if (ec) {
            stream.reset();
            endpoints.reset();  // resolve again next time (the address may have changed)
            throw HttpClientError(url(method, target) + ": cannot connect: " + describe(ec, options.connect_timeout));
        }
        stream->socket().set_option(tcp::no_delay(true), ec);
        ++opened;
    }
};

HttpClient::HttpClient(std::string host, uint16_t port, HttpClientOptions options) : impl_(std::make_unique<Impl>()) {
    if (host.empty()) throw std::invalid_argument("HttpClient: empty host");
    impl_->host = std::move(host);
    impl_->port = port;
    impl_->options = std::move(options);
}

HttpClient HttpClient::from_url(std::string_view url, HttpClientOptions options) {
    auto [host, port] = parse_http_url(url);
    return HttpClient(std::move(host), port, std::move(options));
}

HttpClient::~HttpClient() {
    if (impl_) impl_->drop();
}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpResponse HttpClient::request(std::string_view method, std::string_view target, std::string_view body,
                                 std::string_view content_type, const Headers& headers) {
    Impl& impl = *impl_;
    http::request<http::string_body> request;
    http::verb verb = http::string_to_verb(method);
    if (verb == http::verb::unknown) {
        request.method_string(method);
    } else {
        request.method(verb);
    }
    request.target(target);
    request.version(11);
    request.set(http::field::host, impl.host + ":" + std::to_string(impl.port));
    request.set(http::field::user_agent, "provernet");
    for (const auto& [name, value] : impl.options.default_headers) request.set(name, value);
    if (!body.empty() && !content_type.empty()) request.set(http::field::content_type, content_type);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::string(body);
    request.keep_alive(true);
    request.prepare_payload();

    const auto timeout = impl.options.request_timeout;
    for (int attempt = 0;; ++attempt) {
        bool reused = impl.stream.has_value();
        if (!reused) impl.connect(method, target);
        // One deadline for sending the request and receiving the whole response.
        impl.stream->expires_after(timeout);
        beast::error_code ec = impl.run([&](auto handler) { http::async_write(*impl.stream, request, std::move(handler)); });
        if (ec) {
            impl.drop();
            if (reused && attempt == 0 && ec != beast::error::timeout) continue;  // stale keep-alive connection
            throw HttpClientError(impl.url(method, target) + ": sending the request failed: " + impl.describe(ec, timeout));
        }
        http::response_parser<http::string_body> parser;
        parser.body_limit(impl.options.max_response_bytes);
        ec = impl.run([&](auto handler) { http::async_read(*impl.stream, impl.buffer, parser, std::move(handler)); });
        if (ec) {
            bool nothing_received = !parser.got_some();
            impl.drop();
            if (reused && attempt == 0 && nothing_received && ec != beast::error::timeout) continue;
            if (ec == http::error::body_limit) {
                throw HttpClientError(impl.url(method, target) + ": response body exceeds the limit of " +
                                      std::to_string(impl.options.max_response_bytes) + " bytes");
            }
            throw HttpClientError(impl.url(method, target) + ": reading the response failed: " + impl.describe(ec, timeout));
        }
        auto message = parser.release();
        HttpResponse response;
        response.status = static_cast<int>(message.result_int());
        for (const auto& field : message) {
            response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        response.body = std::move(message.body());
        if (!message.keep_alive()) impl.drop();
        return response;
    }
}

namespace {

nlohmann::json expect_json(const HttpResponse& response, const std::string& what) {
    if (!response.ok()) {
        throw HttpStatusError(what + ": " + std::to_string(response.status) + ": " + error_message_of(response.body),
                              response.status, response.body);
    }
    try {
        return nlohmann::json::parse(response.body);
    } catch (const nlohmann::json::parse_error& e) {
        throw HttpClientError(what + ": response body is not valid JSON: " + e.what());
    }
}

}  // namespace

nlohmann::json HttpClient::get_json(std::string_view target) {
    return expect_json(request("GET", target), impl_->url("GET", target));
}

nlohmann::json HttpClient::post_json(std::string_view target, const nlohmann::json& body) {
    return expect_json(request("POST", target, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)),
                       impl_->url("POST", target));
}

void HttpClient::close() { impl_->drop(); }
bool HttpClient::connected() const { return impl_->stream.has_value(); }
size_t HttpClient::connections_opened() const { return impl_->opened; }
const std::string& HttpClient::host() const { return impl_->host; }
uint16_t HttpClient::port() const { return impl_->port; }

}  // namespace provernet::coordinator
