#include "coordinator/http_client.hpp"
#include "coordinator/http_server.hpp"
#include "coordinator/websocket_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace provernet::coordinator {
namespace {

using namespace std::chrono_literals;

template <typename Condition>
bool eventually(Condition condition) {
    for (int i = 0; i < 500; ++i) {
        if (condition()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return condition();
}

// Records on_close reasons for the tests that check them.
struct CloseLog {
    std::mutex mutex;
    std::vector<std::string> reasons;
    void add(std::string_view reason) {
        std::lock_guard lock(mutex);
        reasons.emplace_back(reason);
    }
    std::vector<std::string> get() {
        std::lock_guard lock(mutex);
        return reasons;
    }
};

// The stream endpoint as a later layer would build it: subscribe/ping messages, a connection
// that knows its upgrade request, an optional refusal of unauthenticated upgrades.
void add_stream_route(HttpServer& server, CloseLog* closes = nullptr, bool require_auth = false) {
    WebSocketRoute route;
    if (require_auth) {
        route.accept = [](const Request& request) -> std::optional<Response> {
            if (!request.header("Authorization")) return Response::error(401, "missing Authorization");
            return std::nullopt;
        };
    }
    route.on_message = [](WebSocketConnection& connection, const nlohmann::json& message) {
        const std::string type = message.at("type").get<std::string>();
        if (type == "subscribe") {
            connection.subscribe(message.at("channel").get<std::string>());
            connection.send({{"type", "subscribed"}, {"channel", message.at("channel")}});
        } else if (type == "ping") {
            connection.send({{"type", "pong"}, {"n", message.value("n", 0)}});
        } else if (type == "whoami") {
            auto auth = connection.upgrade_request().header("Authorization");
            connection.user_data = std::string("seen");
            connection.send({{"id", connection.id()},
                             {"auth", auth ? std::string(*auth) : ""},
                             {"path", connection.upgrade_request().path}});
        } else if (type == "kick") {
            connection.close("kicked by the test", 4001);
        } else {
            throw std::runtime_error("unknown message type \"" + type + "\"");
        }
    };
    if (closes) {
        route.on_close = [closes](WebSocketConnection&, std::string_view reason) { closes->add(reason); };
    }
    server.websocket("/v1/stream", std::move(route));
}

HttpServerConfig quiet_config() {
    HttpServerConfig config;
    config.log = [](std::string_view) {};
    return config;
}

nlohmann::json read_json(WebSocketClient& client, std::chrono::milliseconds timeout = 5s) {
    auto message = client.read_json(timeout);
    if (!message) throw std::runtime_error("no message within the timeout");
    return *message;
}

void subscribe(WebSocketClient& client, const std::string& channel) {
    client.send({{"type", "subscribe"}, {"channel", channel}});
    auto ack = read_json(client);
    ASSERT_EQ(ack["type"], "subscribed");
    ASSERT_EQ(ack["channel"], channel);
}

TEST(WebSocket, BroadcastReachesAllSubscribersOfTheChannel) {
    HttpServer server(quiet_config());
    add_stream_route(server);
    server.start();
    std::vector<std::unique_ptr<WebSocketClient>> subscribers, others;
    for (int i = 0; i < 5; ++i) {
        subscribers.push_back(std::make_unique<WebSocketClient>());
        subscribers.back()->connect("127.0.0.1", server.port(), "/v1/stream");
        subscribe(*subscribers.back(), "requests");
    }
    for (int i = 0; i < 2; ++i) {
        others.push_back(std::make_unique<WebSocketClient>());
        others.back()->connect("127.0.0.1", server.port(), "/v1/stream");
        subscribe(*others.back(), "other");
    }
    EXPECT_EQ(server.subscriber_count("requests"), 5u);
    EXPECT_EQ(server.subscriber_count("other"), 2u);

    constexpr int messages = 50;
    for (int i = 0; i < messages; ++i) {
        EXPECT_EQ(server.broadcast("requests", {{"type", "request"}, {"seq", i}}), 5u);
    }
    for (auto& client : subscribers) {
        for (int i = 0; i < messages; ++i) {
            auto message = read_json(*client);
            ASSERT_EQ(message["seq"], i) << "messages arrive complete and in order";
        }
    }
    for (auto& client : others) EXPECT_EQ(client->read(50ms), std::nullopt);
    EXPECT_EQ(server.broadcast("nobody", {{"x", 1}}), 0u);

    // Unsubscribed on close.
    subscribers.pop_back();
    EXPECT_TRUE(eventually([&] { return server.subscriber_count("requests") == 4; }));
}

TEST(WebSocket, ClientMessagesReachTheHandlerWithTheirConnection) {
    HttpServer server(quiet_config());
    add_stream_route(server);
    server.start();
    WebSocketClientOptions options;
    options.headers = {{"Authorization", "Bearer test-token"}};
    WebSocketClient client(options);
    client.connect("127.0.0.1", server.port(), "/v1/stream?prover=1");

    client.send({{"type", "ping"}, {"n", 3}});
    EXPECT_EQ(read_json(client), (nlohmann::json{{"type", "pong"}, {"n", 3}}));

    client.send({{"type", "whoami"}});
    auto who = read_json(client);
    EXPECT_EQ(who["auth"], "Bearer test-token");
    EXPECT_EQ(who["path"], "/v1/stream");
    EXPECT_GT(who["id"].get<uint64_t>(), 0u);

    client.send_text("{not json");
    EXPECT_EQ(read_json(client)["error"], "message is not valid JSON");
    client.send({{"type", "dance"}});
    EXPECT_EQ(read_json(client)["error"], "unknown message type \"dance\"");
    client.send({{"type", "ping"}, {"n", 4}});  // still open after the errors
    EXPECT_EQ(read_json(client)["n"], 4);
    EXPECT_EQ(client.read(0ms), std::nullopt);
}

TEST(WebSocket, ServerCloseAndClientCloseCarryReasons) {
    CloseLog closes;
    HttpServer server(quiet_config());
    add_stream_route(server, &closes);
    server.start();

    WebSocketClient kicked;
    kicked.connect("127.0.0.1", server.port(), "/v1/stream");
    kicked.send({{"type", "kick"}});
    try {
        while (true) kicked.read(5s);
    } catch (const WebSocketClosed& e) {
        EXPECT_EQ(e.code(), 4001);
        EXPECT_EQ(e.reason(), "kicked by the test");
    }
    EXPECT_FALSE(kicked.is_open());

    WebSocketClient leaving;
    leaving.connect("127.0.0.1", server.port(), "/v1/stream");
    leaving.close(1000, "bye");
    EXPECT_FALSE(leaving.is_open());
    ASSERT_TRUE(eventually([&] { return closes.get().size() == 2; }));
    auto reasons = closes.get();
    EXPECT_EQ(reasons[0], "kicked by the test");
    EXPECT_EQ(reasons[1], "closed by the client (code 1000: bye)");
}

TEST(WebSocket, UpgradeCanBeRefused) {
    HttpServer server(quiet_config());
    add_stream_route(server, nullptr, /*require_auth=*/true);
    server.route("GET", "/hello", [](const Request&) { return Response::json({{"hello", "world"}}); });
    server.start();
    WebSocketClient anonymous;
    try {
        anonymous.connect("127.0.0.1", server.port(), "/v1/stream");
        FAIL() << "the upgrade must be refused";
    } catch (const WebSocketError& e) {
        EXPECT_NE(std::string(e.what()).find("401"), std::string::npos) << e.what();
    }
    // An upgrade on a path that is no WebSocket route is an ordinary 404.
    WebSocketClient lost;
    EXPECT_THROW(lost.connect("127.0.0.1", server.port(), "/elsewhere"), WebSocketError);

    WebSocketClientOptions options;
    options.headers = {{"Authorization", "x"}};
    WebSocketClient allowed(options);
    allowed.connect("127.0.0.1", server.port(), "/v1/stream");
    allowed.send({{"type", "ping"}});
    EXPECT_EQ(read_json(allowed)["type"], "pong");
}

TEST(WebSocket, SlowSubscriberIsDroppedWithoutAffectingOthers) {
    CloseLog closes;
    auto config = quiet_config();
    config.ws_max_queued_messages = 256;
    config.ws_handshake_timeout = 10s;  // only reached if the slow reader stalls completely
    HttpServer server(config);
    add_stream_route(server, &closes);
    server.start();

    WebSocketClient fast;
    fast.connect("127.0.0.1", server.port(), "/v1/stream");
    subscribe(fast, "requests");
    // A small fixed receive window, so that the kernel cannot absorb much of the stream.
    WebSocketClientOptions slow_options;
    slow_options.receive_buffer_bytes = 8 * 1024;
    WebSocketClient slow(slow_options);
    slow.connect("127.0.0.1", server.port(), "/v1/stream");
    subscribe(slow, "requests");

    constexpr int messages = 2000;
    std::atomic<int> fast_received{0};
    std::atomic<bool> fast_in_order{true};
    std::atomic<bool> fast_reading{true};
    std::thread fast_reader([&] {
        try {
            while (fast_received < messages) {
                auto message = fast.read_json(10s);
                if (!message) break;
                if ((*message)["seq"] != fast_received.load()) fast_in_order = false;
                ++fast_received;
            }
        } catch (const std::exception& e) {
            ADD_FAILURE() << "fast subscriber: " << e.what();
        }
        fast_reading = false;
    });
    // The slow subscriber reads 50 messages a second until it is dropped, then drains what
    // reached it and must find the close frame with the reason.
    std::atomic<bool> slow_dropped{false};
    std::atomic<int> slow_received{0};
    std::optional<WebSocketClosed> slow_closed;
    std::thread slow_reader([&] {
        try {
            while (slow.read(20s)) {
                ++slow_received;
                if (!slow_dropped) std::this_thread::sleep_for(20ms);
            }
        } catch (const WebSocketClosed& e) {
            slow_closed = e;
        }
    });

    const std::string padding(4096, 'p');
    int delivered_to_both = 0;
    for (int i = 0; i < messages; ++i) {
        // The producer never runs more than 100 messages ahead of the fast subscriber, so that
        // its queue (256) cannot fill however the threads get scheduled.
        while (fast_received + 100 < i && fast_reading) std::this_thread::sleep_for(1ms);
        size_t delivered = server.broadcast("requests", {{"seq", i}, {"padding", padding}});
        if (delivered == 2) ++delivered_to_both;
        if (delivered < 2) slow_dropped = true;
    }
    fast_reader.join();
    slow_reader.join();
    EXPECT_EQ(fast_received, messages);
    EXPECT_TRUE(fast_in_order);
    EXPECT_TRUE(slow_dropped) << "the slow subscriber was never dropped";
    EXPECT_EQ(server.subscriber_count("requests"), 1u);

    ASSERT_TRUE(slow_closed.has_value()) << "the slow subscriber was not closed";
    EXPECT_EQ(slow_closed->code(), 1008) << slow_closed->what();
    EXPECT_NE(slow_closed->reason().find("consumer too slow"), std::string::npos) << slow_closed->what();
    EXPECT_LE(slow_received, delivered_to_both);
    ASSERT_TRUE(eventually([&] { return closes.get().size() == 1; }));
    EXPECT_NE(closes.get()[0].find("send queue full"), std::string::npos) << closes.get()[0];
}

TEST(WebSocket, WritesPastTheBurstAreCoalescedUntilTheNextAllowance) {
    auto config = quiet_config();
    config.ws_flush_interval = 400ms;
    config.ws_flush_burst = 2;
    HttpServer server(config);
    add_stream_route(server);
    server.start();
    WebSocketClient client;
    client.connect("127.0.0.1", server.port(), "/v1/stream");
    subscribe(client, "requests");
    std::this_thread::sleep_for(900ms);  // the allowance is full again: 2 writes
    using std::chrono::steady_clock;

    // Within the burst: each message goes out at once.
    for (int i = 0; i < 2; ++i) {
        const auto sent = steady_clock::now();
        server.broadcast("requests", {{"n", i}});
        EXPECT_EQ(read_json(client)["n"], i);
        EXPECT_LT(steady_clock::now() - sent, 300ms) << "message " << i << " was held back";
    }
    // Past it: held back until the next allowance (about 400 ms), then sent together.
    const auto sent = steady_clock::now();
    for (int i = 2; i < 7; ++i) server.broadcast("requests", {{"n", i}});
    for (int i = 2; i < 7; ++i) EXPECT_EQ(read_json(client)["n"], i);
    EXPECT_GE(steady_clock::now() - sent, 250ms);

    // After a quiet period the first message goes out at once.
    std::this_thread::sleep_for(900ms);
    const auto later = steady_clock::now();
    server.broadcast("requests", {{"n", 7}});
    EXPECT_EQ(read_json(client)["n"], 7);
    EXPECT_LT(steady_clock::now() - later, 300ms);
}

TEST(WebSocket, OversizedMessageIsRejected) {
    CloseLog closes;
    auto config = quiet_config();
    config.ws_max_message_bytes = 1024;
    HttpServer server(config);
    add_stream_route(server, &closes);
    server.start();
    WebSocketClient bystander;
    bystander.connect("127.0.0.1", server.port(), "/v1/stream");

    // 2 KB: over the limit, and sent in one write. (Beast's server stops reading right after
    // the frame header, so for a much larger message the client may see a reset instead of
    // the close frame; the server side is the same.)
    WebSocketClient client;
    client.connect("127.0.0.1", server.port(), "/v1/stream");
    uint16_t code = 0;
    try {
        client.send({{"type", "ping"}, {"padding", std::string(2000, 'x')}});
        while (true) client.read(5s);
    } catch (const WebSocketClosed& e) {
        code = e.code();
        EXPECT_NE(std::string(e.what()).find("1009"), std::string::npos) << e.what();
    }
    EXPECT_EQ(code, 1009);  // "message too big"
    ASSERT_TRUE(eventually([&] { return !closes.get().empty(); }));
    EXPECT_EQ(closes.get()[0], "message exceeds the limit of 1024 bytes");

    bystander.send({{"type", "ping"}, {"n", 1}});
    EXPECT_EQ(read_json(bystander)["n"], 1);
}

TEST(WebSocket, ClientReconnectsAfterServerRestartOnTheSamePort) {
    auto first = std::make_unique<HttpServer>(quiet_config());
    add_stream_route(*first);
    first->start();
    const uint16_t port = first->port();

    WebSocketClient client;
    client.connect("127.0.0.1", port, "/v1/stream");
    subscribe(client, "requests");
    first->broadcast("requests", {{"n", 1}});
    EXPECT_EQ(read_json(client)["n"], 1);

    first.reset();
    EXPECT_THROW(
        {
            while (true) client.read(5s);
        },
        WebSocketClosed);
    EXPECT_FALSE(client.is_open());

    // The caller's reconnect loop: fails while nobody listens, succeeds once the server is back.
    Backoff backoff(10ms, 100ms);
    std::unique_ptr<HttpServer> second;
    int attempts = 0;
    for (;; ++attempts) {
        if (attempts == 3) {
            auto config = quiet_config();
            config.port = port;
            second = std::make_unique<HttpServer>(config);
            add_stream_route(*second);
            second->start();
        }
        try {
            client.connect("127.0.0.1", port, "/v1/stream");
            break;
        } catch (const WebSocketError&) {
            ASSERT_LT(attempts, 10);
            std::this_thread::sleep_for(backoff.next_delay());
        }
    }
    EXPECT_EQ(attempts, 3);
    subscribe(client, "requests");
    EXPECT_EQ(second->broadcast("requests", {{"n", 2}}), 1u);
    EXPECT_EQ(read_json(client)["n"], 2);
}

TEST(WebSocket, HttpAndWebSocketShareThePort) {
    HttpServer server(quiet_config());
    add_stream_route(server);
    server.route("GET", "/hello", [](const Request&) { return Response::json({{"hello", "world"}}); });
    server.start();
    WebSocketClient ws;
    ws.connect("127.0.0.1", server.port(), "/v1/stream");
    HttpClient http("127.0.0.1", server.port());
    EXPECT_EQ(http.get_json("/hello")["hello"], "world");
    // A plain GET on the stream path (no upgrade) is not a route.
    EXPECT_EQ(http.get("/v1/stream").status, 404);
    // The HTTP session that handed its socket to the WebSocket may take a moment to go away.
    EXPECT_TRUE(eventually([&] { return server.connection_count() == 2; })) << server.connection_count();
}

TEST(WebSocket, BackoffGrowsWithJitterAndResets) {
    Backoff backoff(100ms, 1000ms);
    std::vector<int64_t> delays;
    for (int i = 0; i < 6; ++i) delays.push_back(backoff.next_delay().count());
    const int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000};
    for (int i = 0; i < 6; ++i) {
        EXPECT_GE(delays[i], ceilings[i] / 2);
        EXPECT_LE(delays[i], ceilings[i]);
    }
    backoff.reset();
    EXPECT_LE(backoff.next_delay().count(), 100);
}

}  // namespace
}  // namespace provernet::coordinator
