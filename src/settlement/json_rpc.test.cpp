#include "settlement/json_rpc.hpp"

#include "settlement/anvil.hpp"
#include "settlement/anvil_test_support.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace provernet::settlement {
namespace {

using namespace std::chrono_literals;

// A listening socket on 127.0.0.1 with an OS-chosen port.
struct LocalListener {
    int fd = -1;
    uint16_t port = 0;
    LocalListener()
    {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(fd, 8), 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
    }
    ~LocalListener()
    {
        if (fd >= 0)
            ::close(fd);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// Joins on destruction, so that a failed assertion cannot leave a joinable thread behind.
struct JoiningThread : std::thread {
    using std::thread::thread;
    JoiningThread(std::thread&& t) : std::thread(std::move(t)) {}
    ~JoiningThread()
    {
        if (joinable())
            join();
    }
};

// Accepts one connection, reads the request head and answers with `response` verbatim.
JoiningThread serve_once(const LocalListener& listener, std::string response)
{
    return std::thread([fd = listener.fd, response = std::move(response)] {
        const int conn = ::accept(fd, nullptr, nullptr);
        if (conn < 0)
            return;
        std::string request;
        char buf[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
            const ssize_t n = ::read(conn, buf, sizeof buf);
            if (n <= 0)
                break;
            request.append(buf, size_t(n));
        }
        [[maybe_unused]] auto w = ::write(conn, response.data(), response.size());
        ::close(conn);
    });
}

std::string http_response(int status, const std::string& body)
{
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

TEST(JsonRpcClient, RejectsMalformedUrls)
{
    for (const char* url : {"https://127.0.0.1:8545", "127.0.0.1:8545", "http://", "http://:8545", "http://h:0",
                            "http://h:65536", "http://h:85x", "http://h:", "http://[::1"}) {
        try {
            JsonRpcClient client(url);
            ADD_FAILURE() << url << " was accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(url), std::string::npos) << e.what();
        }
    }
    EXPECT_NO_THROW(JsonRpcClient("http://[::1]:8545/rpc/v1"));
    EXPECT_THROW(JsonRpcClient("http://h:1", 0ms), std::invalid_argument);
}

TEST(JsonRpcClient, ConnectionRefusedNamesTheUrl)
{
    uint16_t port = 0;
    {
        LocalListener closed;  // bound then closed: nothing listens there now
        port = closed.port;
    }
    const std::string url = "http://127.0.0.1:" + std::to_string(port);
    JsonRpcClient client(url, 2s);
    try {
        client.call("eth_chainId");
        FAIL() << "expected a transport error";
    } catch (const RpcTransportError& e) {
        EXPECT_NE(std::string(e.what()).find(url), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
    }
}

TEST(JsonRpcClient, TimesOutAgainstASilentServer)
{
    LocalListener silent;  // the kernel completes the handshake; nobody ever reads or answers
    JsonRpcClient client(silent.url(), 300ms);
    const auto start = std::chrono::steady_clock::now();
    try {
        client.call("eth_blockNumber");
        FAIL() << "expected a timeout";
    } catch (const RpcTransportError& e) {
        EXPECT_NE(std::string(e.what()).find("timed out after 300 ms"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(silent.url()), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(JsonRpcClient, ErrorObjectBecomesRpcError)
{
    LocalListener server;
    auto t = serve_once(server, http_response(200, R"({"jsonrpc":"2.0","id":1,"error":{"code":3,)"
                                                   R"("message":"execution reverted","data":"0x1234"}})"));
    JsonRpcClient client(server.url(), 2s);
    try {
        client.call("eth_call", {1, 2});
        FAIL() << "expected RpcError";
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, 3);
        EXPECT_EQ(e.message, "execution reverted");
        EXPECT_EQ(e.data, "0x1234");
        EXPECT_NE(std::string(e.what()).find("eth_call"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("execution reverted"), std::string::npos) << e.what();
    }
}

TEST(JsonRpcClient, NonRpcAnswersAreTransportErrors)
{
    {
        LocalListener server;
        auto t = serve_once(server, http_response(502, "bad gateway"));
        JsonRpcClient client(server.url(), 2s);
        try {
            client.call("eth_chainId");
            FAIL();
        } catch (const RpcTransportError& e) {
            EXPECT_NE(std::string(e.what()).find("HTTP 502"), std::string::npos) << e.what();
        }
    }
    {
        LocalListener server;
        auto t = serve_once(server, http_response(200, R"({"jsonrpc":"2.0","id":7,"result":"0x1"})"));
        JsonRpcClient client(server.url(), 2s);
        EXPECT_THROW(client.call("eth_chainId"), RpcTransportError);  // id mismatch
    }
    {
        LocalListener server;
        auto t = serve_once(server, http_response(200, std::string(5000, ' ') + "{}"));
        JsonRpcClient client(server.url(), 2s);
        client.set_max_response_bytes(1000);
        try {
            client.call("eth_chainId");
            FAIL();
        } catch (const RpcTransportError& e) {
            EXPECT_NE(std::string(e.what()).find("larger than 1000 bytes"), std::string::npos) << e.what();
        }
    }
}

class JsonRpcAnvil : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        if (testing::anvil_available())
            anvil_ = new AnvilProcess();
    }
    static void TearDownTestSuite()
    {
        delete anvil_;
        anvil_ = nullptr;
    }
    void SetUp() override { PROVERNET_REQUIRE_ANVIL(); }
    static inline AnvilProcess* anvil_ = nullptr;
};

TEST_F(JsonRpcAnvil, KeepsOneConnectionAlive)
{
    JsonRpcClient client(anvil_->url());
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(client.call("eth_chainId"), "0x7a69");
    EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(JsonRpcAnvil, UnknownMethodAndBadParamsAreRpcErrors)
{
    JsonRpcClient client(anvil_->url());
    try {
        client.call("eth_noSuchMethod");
        FAIL();
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, -32601) << e.what();
    }
    try {
        client.call("eth_getBalance", {"not an address", "latest"});
        FAIL();
    } catch (const RpcError& e) {
        EXPECT_NE(e.code, 0) << e.what();
    }
    // The connection survives errors.
    EXPECT_EQ(client.call("eth_chainId"), "0x7a69");
    EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(JsonRpcAnvil, OversizedResponseIsRejected)
{
    JsonRpcClient client(anvil_->url());
    client.set_max_response_bytes(64);
    EXPECT_THROW(client.call("eth_getBlockByNumber", {"latest", true}), RpcTransportError);
    client.set_max_response_bytes(1 << 20);
    EXPECT_TRUE(client.call("eth_getBlockByNumber", {"latest", true}).is_object());  // reconnects
}

}  // namespace
}  // namespace provernet::settlement
