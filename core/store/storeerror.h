#pragma once

#include <QString>
#include <stdexcept>

namespace winnow::core {

// Thrown inside core/store; turned into a Result at the public API.
class StoreError : public std::runtime_error {
public:
    explicit StoreError(const QString &message)
        : std::runtime_error(message.toStdString())
        , m_message(message) {}
    const QString &message() const { return m_message; }

private:
    QString m_message;
};

} // namespace winnow::core
