#include "coordinator/http_client.hpp"
#include "coordinator/http_server.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace provernet::coordinator {
namespace {

using namespace std::chrono_literals;

// A plain TCP connection for sending what no well-behaved client would.
class RawSocket {
public:
    explicit RawSocket(uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error("RawSocket: connect failed");
        }
    }
    ~RawSocket() { ::close(fd_); }

    bool send(std::string_view data) {
        while (!data.empty()) {
            ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            data.remove_prefix(static_cast<size_t>(n));
        }
        return true;
    }

    // Reads until the peer closes or `timeout` passes; closed() tells which.
    std::string read_all(std::chrono::milliseconds timeout) {
        std::string data;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return data;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return data;
            char buffer[4096];
            ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) {
                closed_ = true;
                return data;
            }
            data.append(buffer, static_cast<size_t>(n));
        }
    }
    // Reads until `marker` appears (or the timeout / close).
    std::string read_until(std::string_view marker, std::chrono::milliseconds timeout) {
        std::string data;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (data.find(marker) == std::string::npos) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
            char buffer[4096];
            ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) {
                closed_ = true;
                break;
            }
            data.append(buffer, static_cast<size_t>(n));
        }
        return data;
    }
    bool closed() const { return closed_; }

private:
    int fd_ = -1;
    bool closed_ = false;
};

// Polls `condition` until true or ~5 s pass.
template <typename Condition>
bool eventually(Condition condition) {
    for (int i = 0; i < 500; ++i) {
        if (condition()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return condition();
}

HttpServerConfig quiet_config() {
    HttpServerConfig config;
    config.log = [](std::string_view) {};
    return config;
}

void add_test_routes(HttpServer& server) {
    server.route("POST", "/echo", [](const Request& request) {
        return Response::json({{"got", request.json()}, {"method", request.method}});
    });
    server.route("GET", "/hello", [](const Request&) { return Response::json({{"hello", "world"}}); });
    server.route("GET", "/query", [](const Request& request) {
        return Response::json({{"name", request.query_param("name").value_or("<none>")},
                               {"missing", request.query_param("missing").has_value()}});
    });
    server.route_prefix("GET", "/items/", [](const Request& request) {
        return Response::json({{"item", request.route_suffix}});
    });
    server.route_prefix("GET", "/items/special/", [](const Request& request) {
        return Response::json({{"special", request.route_suffix}});
    });
    server.route("GET", "/throw", [](const Request&) -> Response { throw std::runtime_error("boom"); });
    server.route("GET", "/forbidden", [](const Request&) -> Response { throw HttpError(403, "not yours"); });
    server.route("GET", "/slow", [](const Request&) {
        std::this_thread::sleep_for(500ms);
        return Response::json({{"slow", true}});
    });
}

std::string error_of(const HttpResponse& response) { return response.json().at("error").get<std::string>(); }

TEST(HttpServer, JsonRoundTripOverLoopback) {
    HttpServer server(quiet_config());
    add_test_routes(server);
    server.start();
    ASSERT_NE(server.port(), 0);

    HttpClient client("127.0.0.1", server.port());
    nlohmann::json payload = {{"id", 7}, {"name", "prover"}, {"values", {1, 2, 3}}};
    auto echoed = client.post_json("/echo", payload);
    EXPECT_EQ(echoed["got"], payload);
    EXPECT_EQ(echoed["method"], "POST");
    EXPECT_EQ(client.get_json("/hello"), (nlohmann::json{{"hello", "world"}}));
    EXPECT_EQ(client.get_json("/query?name=a%20b+c&x=1"), (nlohmann::json{{"name", "a b c"}, {"missing", false}}));
    EXPECT_EQ(client.get_json("/items/42"), (nlohmann::json{{"item", "42"}}));
    EXPECT_EQ(client.get_json("/items/special/9"), (nlohmann::json{{"special", "9"}}));  // longest prefix

    auto response = client.get("/hello");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.header("content-type"), "application/json");
    EXPECT_EQ(client.connections_opened(), 1u) << "keep-alive must reuse the connection";
}

TEST(HttpServer, DeferredResponsesFreeTheWorkerThread) {
    HttpServerConfig config = quiet_config();
    config.threads = 1;  // one worker: a handler that held it would block every other request
    HttpServer server(config);
    add_test_routes(server);
    std::vector<std::thread> answerers;
    std::mutex mutex;
    server.route("GET", "/later", [&](const Request& request) {
        Responder respond = request.defer();
        std::lock_guard lock(mutex);
        answerers.emplace_back([respond, n = request.query_param("n").value_or("?")] {
            std::this_thread::sleep_for(300ms);
            respond(Response::json({{"later", n}}));
        });
        return Response::deferred();
    });
    server.start();

    // Two deferred requests on two connections, then a plain one on a third: the plain one is
    // answered while both deferred ones still wait, and each deferred one gets its own answer.
    std::atomic<int> answered{0};
    nlohmann::json a, b;
    std::thread ta([&] { a = HttpClient("127.0.0.1", server.port()).get_json("/later?n=1"); ++answered; });
    std::thread tb([&] { b = HttpClient("127.0.0.1", server.port()).get_json("/later?n=2"); ++answered; });
    std::this_thread::sleep_for(100ms);
    HttpClient plain("127.0.0.1", server.port());
    EXPECT_EQ(plain.get_json("/hello"), (nlohmann::json{{"hello", "world"}}));
    EXPECT_EQ(answered.load(), 0) << "the plain request waited for a deferred one";
    ta.join();
    tb.join();
    EXPECT_EQ(a, (nlohmann::json{{"later", "1"}}));
    EXPECT_EQ(b, (nlohmann::json{{"later", "2"}}));
    // The connection is kept alive after a deferred answer.
    HttpClient again("127.0.0.1", server.port());
    EXPECT_EQ(again.get_json("/later?n=3"), (nlohmann::json{{"later", "3"}}));
    EXPECT_EQ(again.get_json("/hello"), (nlohmann::json{{"hello", "world"}}));
    EXPECT_EQ(again.connections_opened(), 1u);
    std::lock_guard lock(mutex);
    for (auto& t : answerers) t.join();
}

TEST(HttpServer, UnknownRouteIs404AndWrongMethodIs405) {
    HttpServer server(quiet_config());
    add_test_routes(server);
    server.start();
    HttpClient client("127.0.0.1", server.port());

    auto missing = client.get("/nope");
    EXPECT_EQ(missing.status, 404);
    EXPECT_NE(error_of(missing).find("/nope"), std::string::npos);

    auto wrong = client.request("DELETE", "/hello");
    EXPECT_EQ(wrong.status, 405);
    EXPECT_NE(error_of(wrong).find("DELETE"), std::string::npos);
    EXPECT_EQ(wrong.header("Allow"), "GET");

    auto bad_json = client.post("/echo", "{not json");
    EXPECT_EQ(bad_json.status, 400);
    EXPECT_NE(error_of(bad_json).find("not valid JSON"), std::string::npos);
    EXPECT_EQ(client.connections_opened(), 1u) << "request errors keep the connection";
}

TEST(HttpServer, OversizedBodyGets413AndServerServesTheNextRequest) {
    auto config = quiet_config();
    config.max_body_bytes = 1024;
    HttpServer server(config);
    add_test_routes(server);
    server.start();
    HttpClient client("127.0.0.1", server.port());

    // Large enough that the client is still sending while the server answers.
    std::string big = "\"" + std::string(300 * 1024, 'a') + "\"";
    auto response = client.post("/echo", big);
    EXPECT_EQ(response.status, 413);
    EXPECT_EQ(error_of(response), "request body exceeds the limit of 1024 bytes");
    // The connection was closed after the 413; the client reconnects transparently.
    EXPECT_EQ(client.get_json("/hello")["hello"], "world");
    auto within = client.post_json("/echo", std::string(900, 'b'));
    EXPECT_EQ(within["got"], std::string(900, 'b'));

    // A declared Content-Length over the limit is refused before any body is sent.
    RawSocket raw(server.port());
    raw.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n");
    std::string answer = raw.read_all(3s);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
    EXPECT_TRUE(raw.closed());
}

TEST(HttpServer, OversizedHeadersGet431) {
    auto config = quiet_config();
    config.max_header_bytes = 2048;
    HttpServer server(config);
    add_test_routes(server);
    server.start();
    RawSocket raw(server.port());
    raw.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'h') + "\r\n\r\n");
    std::string answer = raw.read_all(3s);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 431")) << answer;
    EXPECT_NE(answer.find("request headers exceed the limit of 2048 bytes"), std::string::npos) << answer;
    EXPECT_TRUE(raw.closed());
}

TEST(HttpServer, MalformedRequestsGet400AndCloseWhileServerStaysUp) {
    HttpServer server(quiet_config());
    add_test_routes(server);
    server.start();
    {
        RawSocket raw(server.port());
        raw.send("THIS IS NOT HTTP\r\n\r\n");
        std::string answer = raw.read_all(3s);
        EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
        EXPECT_NE(answer.find("{\"error\":\"malformed HTTP request"), std::string::npos) << answer;
        EXPECT_TRUE(raw.closed());
    }
    {
        RawSocket raw(server.port());
        std::string garbage;
        uint32_t state = 12345;
        for (int i = 0; i < 2000; ++i) {
            state = state * 1103515245 + 12345;
            garbage += static_cast<char>(state >> 24);
        }
        raw.send(garbage);
        std::string answer = raw.read_all(3s);
        EXPECT_TRUE(raw.closed()) << "garbage must end the connection";
        if (!answer.empty()) {
            EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
        }
    }
    {
        RawSocket raw(server.port());  // a bad header line
        raw.send("GET /hello HTTP/1.1\r\nHost x\r\n\r\n");
        EXPECT_TRUE(raw.read_all(3s).starts_with("HTTP/1.1 400"));
    }
    {
        RawSocket raw(server.port());  // a request cut off mid-body: no answer, just closed
        raw.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":");
    }
    HttpClient client("127.0.0.1", server.port());
    EXPECT_EQ(client.get_json("/hello")["hello"], "world");
}

TEST(HttpServer, HandlerExceptionsBecomeJsonErrors) {
    HttpServer server(quiet_config());
    add_test_routes(server);
    server.start();
    HttpClient client("127.0.0.1", server.port());
    auto crashed = client.get("/throw");
    EXPECT_EQ(crashed.status, 500);
    EXPECT_EQ(error_of(crashed), "internal error: boom");
    auto refused = client.get("/forbidden");
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(error_of(refused), "not yours");
    EXPECT_EQ(client.get_json("/hello")["hello"], "world");
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
    HttpServer server(quiet_config());
    add_test_routes(server);
    server.start();
    RawSocket raw(server.port());
    raw.send("GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /items/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string answer = raw.read_all(3s);
    size_t first = answer.find("{\"item\":\"1\"}");
    size_t second = answer.find("{\"item\":\"2\"}");
    ASSERT_NE(first, std::string::npos) << answer;
    ASSERT_NE(second, std::string::npos) << answer;
    EXPECT_LT(first, second);
    EXPECT_TRUE(raw.closed()) << "Connection: close must be honoured";
}

TEST(HttpServer, ExpectContinueGetsInterimResponse) {
    HttpServer server(quiet_config());
    add_test_routes(server);
    server.start();
    RawSocket raw(server.port());
    raw.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n");
    std::string interim = raw.read_until("\r\n\r\n", 3s);
    EXPECT_TRUE(interim.starts_with("HTTP/1.1 100 Continue")) << interim;
    raw.send("[1,2,3]");
    std::string answer = raw.read_until("}", 3s);
    EXPECT_NE(answer.find("\"got\":[1,2,3]"), std::string::npos) << answer;
}

TEST(HttpServer, SlowAndIdleConnectionsAreClosed) {
    auto config = quiet_config();
    config.request_timeout = 300ms;
    config.idle_timeout = 400ms;
    HttpServer server(config);
    add_test_routes(server);
    server.start();

    // Slowloris: a request trickling in a byte at a time is cut off after request_timeout.
    RawSocket slow(server.port());
    auto start = std::chrono::steady_clock::now();
    std::string request = "GET /hello HTTP/1.1\r\nHost: x\r\nX-Padding: ";
    bool cut_off = false;
    for (int i = 0; i < 40 && !cut_off; ++i) {
        slow.send(request.substr(0, 1));
        request = request.size() > 1 ? request.substr(1) : "a";
        slow.read_all(50ms);
        cut_off = slow.closed();
    }
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(cut_off) << "a trickling request must be closed";
    EXPECT_GE(elapsed, 250ms);
    EXPECT_LT(elapsed, 1800ms);

    // An idle keep-alive connection is closed after idle_timeout.
    RawSocket idle(server.port());
    start = std::chrono::steady_clock::now();
    idle.read_all(3s);
    elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(idle.closed());
    EXPECT_GE(elapsed, 350ms);
    EXPECT_LT(elapsed, 2500ms);

    // Ordinary clients still work, and a client whose idle connection was closed reconnects.
    HttpClient client("127.0.0.1", server.port());
    EXPECT_EQ(client.get_json("/hello")["hello"], "world");
    std::this_thread::sleep_for(700ms);
    EXPECT_EQ(client.get_json("/hello")["hello"], "world");
    EXPECT_EQ(client.connections_opened(), 2u);
}

TEST(HttpServer, ConnectionsPastTheLimitGet503) {
    auto config = quiet_config();
    config.max_connections = 2;
    HttpServer server(config);
    add_test_routes(server);
    server.start();
    RawSocket first(server.port());
    RawSocket second(server.port());
    ASSERT_TRUE(eventually([&] { return server.connection_count() == 2; }));
    RawSocket third(server.port());
    std::string answer = third.read_all(3s);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 503")) << answer;
    EXPECT_TRUE(third.closed());
    // The admitted connections are served.
    first.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(first.read_until("world", 3s).find("\"hello\":\"world\""), std::string::npos);
}

TEST(HttpServer, ManyConcurrentClients) {
    HttpServer server(quiet_config());
    std::atomic<int> handled{0};
    server.route("POST", "/add", [&](const Request& request) {
        ++handled;
        auto body = request.json();
        return Response::json({{"sum", body.at("a").get<int64_t>() + body.at("b").get<int64_t>()}});
    });
    server.start();
    constexpr int clients = 16;
    constexpr int requests = 40;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            try {
                HttpClient client("127.0.0.1", server.port());
                for (int i = 0; i < requests; ++i) {
                    auto answer = client.post_json("/add", {{"a", c}, {"b", i}});
                    if (answer.at("sum").get<int64_t>() != c + i) ++wrong;
                }
                if (client.connections_opened() != 1) ++wrong;
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
                ++wrong;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(wrong, 0);
    EXPECT_EQ(handled, clients * requests);
}

TEST(HttpServer, StartFailsClearlyWhenThePortIsTaken) {
    HttpServer first(quiet_config());
    first.start();
    auto config = quiet_config();
    config.port = first.port();
    HttpServer second(config);
    try {
        second.start();
        FAIL() << "binding a port in use must fail";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(first.port())), std::string::npos) << e.what();
    }
}

TEST(HttpServer, RoutesMustBeRegisteredBeforeStart) {
    HttpServer server(quiet_config());
    server.start();
    EXPECT_THROW(server.route("GET", "/late", [](const Request&) { return Response{}; }), std::logic_error);
    HttpServerConfig no_threads;
    no_threads.threads = 0;
    EXPECT_THROW(HttpServer{no_threads}, std::invalid_argument);
}

// --- HttpClient ---

TEST(HttpServerClient, ReconnectsAfterServerRestartOnTheSamePort) {
    auto first = std::make_unique<HttpServer>(quiet_config());
    add_test_routes(*first);
    first->start();
    const uint16_t port = first->port();
    HttpClient client("127.0.0.1", port);
    EXPECT_EQ(client.get_json("/hello")["hello"], "world");
    first.reset();  // stops: the kept-alive connection is closed under the client

    EXPECT_THROW(client.get("/hello"), HttpClientError);  // nobody listens now

    auto config = quiet_config();
    config.port = port;
    HttpServer second(config);
    add_test_routes(second);
    second.start();
    EXPECT_EQ(client.get_json("/hello")["hello"], "world");
    EXPECT_EQ(client.post_json("/echo", {{"x", 1}})["got"]["x"], 1);
    EXPECT_EQ(client.connections_opened(), 2u);
}

TEST(HttpServerClient, ErrorsNameTheUrlAndCause) {
    HttpServer server(quiet_config());
    add_test_routes(server);
    server.start();
    uint16_t port = server.port();

    HttpClientOptions options;
    options.request_timeout = 100ms;
    HttpClient impatient("127.0.0.1", port, options);
    try {
        impatient.get("/slow");
        FAIL() << "a slow answer must time out";
    } catch (const HttpClientError& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("GET http://127.0.0.1:" + std::to_string(port) + "/slow"), std::string::npos) << message;
        EXPECT_NE(message.find("timed out after 100 ms"), std::string::npos) << message;
    }

    HttpClient client("127.0.0.1", port);
    try {
        client.get_json("/forbidden");
        FAIL() << "a 403 must throw from get_json";
    } catch (const HttpStatusError& e) {
        EXPECT_EQ(e.status(), 403);
        EXPECT_NE(std::string(e.what()).find("403: not yours"), std::string::npos) << e.what();
    }

    server.stop();
    try {
        client.get("/hello");
        FAIL() << "a stopped server must be reported";
    } catch (const HttpClientError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
    }
}

TEST(HttpServerClient, ParsesUrls) {
    EXPECT_EQ(parse_http_url("http://127.0.0.1:8080"), std::make_pair(std::string("127.0.0.1"), uint16_t{8080}));
    EXPECT_EQ(parse_http_url("http://example.org/v1/x"), std::make_pair(std::string("example.org"), uint16_t{80}));
    EXPECT_EQ(parse_http_url("localhost:9"), std::make_pair(std::string("localhost"), uint16_t{9}));
    EXPECT_EQ(parse_http_url("http://[::1]:7000/"), std::make_pair(std::string("::1"), uint16_t{7000}));
    EXPECT_THROW(parse_http_url("https://x:1"), std::invalid_argument);
    EXPECT_THROW(parse_http_url("http://x:99999"), std::invalid_argument);
    EXPECT_THROW(parse_http_url("http://:80"), std::invalid_argument);
    EXPECT_THROW(parse_http_url("http://x:8a"), std::invalid_argument);
}

}  // namespace
}  // namespace provernet::coordinator
