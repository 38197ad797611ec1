#include "core/io/idxfile.h"

#include "core/store/storeerror.h"

#include <algorithm>

namespace winnow::core {

IdxData readIdx(const ReadFn &read, const QString &name, int expectedDims, qint64 limit) {
    unsigned char magic[4] = {};
    if (read(reinterpret_cast<char *>(magic), 4) != 4)
        throw StoreError(QStringLiteral("%1: too short for an IDX header").arg(name));
    if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] != expectedDims)
        throw StoreError(QStringLiteral("%1: not an IDX file of unsigned bytes with %2 dimension%3"
                                        " (magic %4 %5 %6 %7)")
                             .arg(name)
                             .arg(expectedDims)
                             .arg(expectedDims == 1 ? "" : "s")
                             .arg(magic[0], 2, 16, QLatin1Char('0'))
                             .arg(magic[1], 2, 16, QLatin1Char('0'))
                             .arg(magic[2], 2, 16, QLatin1Char('0'))
                             .arg(magic[3], 2, 16, QLatin1Char('0')));
    IdxData data;
    for (int d = 0; d < expectedDims; ++d) {
        unsigned char raw[4] = {};
        if (read(reinterpret_cast<char *>(raw), 4) != 4)
            throw StoreError(QStringLiteral("%1: header cut short").arg(name));
        data.dims.push_back((quint32(raw[0]) << 24) | (quint32(raw[1]) << 16) |
                            (quint32(raw[2]) << 8) | quint32(raw[3]));
    }
    // Multiplied one dimension at a time, so a lying header cannot overflow the product.
    qint64 recordBytes = 1;
    for (size_t d = 1; d < data.dims.size(); ++d) {
        if (data.dims[d] == 0 || recordBytes > kMaxIdxRecordBytes / qint64(data.dims[d]))
            throw StoreError(QStringLiteral("%1: absurd record size in the header").arg(name));
        recordBytes *= data.dims[d];
    }
    const qint64 records = limit > 0 ? std::min<qint64>(limit, data.dims[0]) : data.dims[0];
    const qint64 wanted = records * recordBytes; // at most 2^32 * 2^28: no overflow
    constexpr qint64 kChunk = qint64(16) << 20;
    qint64 got = 0;
    while (got < wanted) {
        const qint64 chunk = std::min(kChunk, wanted - got);
        data.payload.resize(got + chunk);
        const qint64 n = read(data.payload.data() + got, chunk);
        got += n;
        if (n < chunk)
            break;
    }
    data.payload.resize(got);
    data.available = got / recordBytes;
    return data;
}

} // namespace winnow::core
