#pragma once

// Tables that spell an enum's values as text, for enums stored or typed as words.

#include <QString>
#include <cstddef>
#include <optional>

namespace winnow::core {

template <typename Enum> struct EnumName {
    Enum value;
    const char *text;
};

template <typename Enum, std::size_t N>
QString enumName(const EnumName<Enum> (&table)[N], Enum value) {
    for (const auto &entry : table)
        if (entry.value == value)
            return QString::fromLatin1(entry.text);
    return {};
}

template <typename Enum, std::size_t N>
std::optional<Enum> parseEnumName(const EnumName<Enum> (&table)[N], const QString &text,
                                  Qt::CaseSensitivity sensitivity = Qt::CaseSensitive) {
    for (const auto &entry : table)
        if (text.compare(QLatin1String(entry.text), sensitivity) == 0)
            return entry.value;
    return std::nullopt;
}

} // namespace winnow::core
