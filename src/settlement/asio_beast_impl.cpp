// The non-template parts of Boost.Asio and Boost.Beast, compiled once for the whole program
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION, see CMakeLists.txt).
// Settlement is the lowest layer that speaks HTTP, so the layers above reuse this unit.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
