#pragma once

#include <QByteArray>
#include <QString>
#include <functional>
#include <vector>

namespace winnow::core {

// An IDX file's header and as many complete records as were asked for and present.
struct IdxData {
    std::vector<quint32> dims;
    QByteArray payload;
    qint64 available = 0; // complete records in payload
};

// Reads up to `size` bytes into `into`; returns how many (0 at the end). Throws on a read error.
using ReadFn = std::function<qint64(char *into, qint64 size)>;

constexpr qint64 kMaxIdxRecordBytes = qint64(1) << 28;

// Parses an IDX file of unsigned bytes with `expectedDims` dimensions from `read`, keeping the
// first `limit` records (0: all). The header is never trusted for an allocation: the payload
// grows with the data that actually arrives, so a header promising billions of records costs
// nothing. Throws StoreError, naming `name`, on a header that is not IDX, is cut short or
// declares an absurd record size.
IdxData readIdx(const ReadFn &read, const QString &name, int expectedDims, qint64 limit);

} // namespace winnow::core
