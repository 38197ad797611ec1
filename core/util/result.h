#pragma once

#include <QString>
#include <optional>
#include <utility>
#include <variant>

namespace winnow::core {

// A failure a person can act on: what went wrong, and where (file, line) when known.
struct Error {
    QString message;
};

// Returned at core's public API instead of throwing: either a value or an Error.
template <typename T> class [[nodiscard]] Result {
public:
    Result(T value)
        : m_state(std::move(value)) {}
    Result(Error error)
        : m_state(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<T>(m_state); }
    const T &value() const & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    // By value on temporaries, so `for (x : *f())` does not iterate a destroyed result.
    T operator*() && { return std::move(value()); }

    const Error &error() const { return std::get<Error>(m_state); }
    QString errorMessage() const { return ok() ? QString() : error().message; }

private:
    std::variant<T, Error> m_state;
};

template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error)) {}

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }
    QString errorMessage() const { return ok() ? QString() : m_error->message; }

private:
    std::optional<Error> m_error;
};

} // namespace winnow::core

#include <exception>
#include <type_traits>

namespace winnow::core {

// Runs `work` and turns any exception into an Error: the boundary between throwing core
// internals and the Result-returning public API.
template <typename F> auto attempt(F &&work) -> Result<std::invoke_result_t<F>> {
    try {
        if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
            work();
            return {};
        } else {
            return work();
        }
    } catch (const std::exception &e) {
        return Error{QString::fromUtf8(e.what())};
    } catch (...) {
        return Error{QStringLiteral("unexpected internal error")};
    }
}

} // namespace winnow::core
