#include "tests/fuzz/fuzztargets.h"

#include "core/io/answerrowreader.h"
#include "core/io/csvreader.h"
#include "core/io/idxfile.h"
#include "core/io/imageheader.h"
#include "core/io/imageprobe.h"
#include "core/io/manifestreader.h"
#include "core/store/storeerror.h"

#include <QByteArray>
#include <cstdlib>
#include <cstring>

namespace winnow::fuzz {
namespace {

// A broken promise is a finding: abort so libFuzzer keeps the input.
void require(bool condition, const char *what) {
    if (!condition) {
        std::fprintf(stderr, "broken promise: %s\n", what);
        std::abort();
    }
}

QByteArray bytesOf(const uint8_t *data, size_t size) {
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace

int answerCsv(const uint8_t *data, size_t size) {
    const QByteArray bytes = bytesOf(data, size);
    core::AnswerRowReader rows(bytes);
    core::AnswerRow row;
    qint64 lastLine = 0;
    while (rows.next(row)) {
        require(row.line > lastLine, "answer rows come in line order");
        lastLine = row.line;
        if (row.problem.isEmpty()) {
            for (const std::string_view field : {row.item, row.worker, row.label}) {
                require(!field.empty(), "a usable row has no empty field");
                require(field.find('\0') == std::string_view::npos, "no NUL in a usable row");
                require(field.front() != '\r' && field.back() != '\r',
                        "fields are trimmed of line ends");
            }
        }
    }
    core::CsvReader csv(bytes);
    QStringList fields;
    QString error;
    qint64 records = 0;
    while (csv.next(fields, error))
        require(++records <= qint64(size) + 1, "no more records than bytes");
    return 0;
}

int manifest(const uint8_t *data, size_t size) {
    core::ManifestReader reader(bytesOf(data, size));
    core::ManifestLine line;
    qint64 lastLine = 0;
    while (reader.next(line)) {
        require(line.line > lastLine, "manifest lines come in order");
        lastLine = line.line;
        if (line.problem.isEmpty()) {
            require(!line.source.isEmpty(), "a usable line names its image");
            require(!line.responses.empty(), "a usable line carries answers");
            for (const auto &[worker, label] : line.responses)
                require(!worker.isEmpty() && !label.isEmpty() && !worker.contains(QChar(0)) &&
                            !label.contains(QChar(0)),
                        "answers have a worker and a label without NUL");
        }
    }
    return 0;
}

int idx(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    // The first byte picks the shape and the limit; the rest is the file.
    const int dims = data[0] & 1 ? 3 : 1;
    const qint64 limit = data[0] >> 1;
    size_t at = 1;
    auto read = [&](char *into, qint64 want) -> qint64 {
        const qint64 n = std::min<qint64>(want, qint64(size - at));
        std::memcpy(into, data + at, size_t(n));
        at += size_t(n);
        return n;
    };
    try {
        const core::IdxData idx = core::readIdx(read, QStringLiteral("fuzz.idx"), dims, limit);
        require(idx.dims.size() == size_t(dims), "one size per dimension");
        require(idx.payload.size() <= qsizetype(size), "never more payload than data");
        require(idx.available >= 0 && (limit == 0 || idx.available <= limit),
                "no more records than asked for");
    } catch (const core::StoreError &) {
    }
    return 0;
}

int image(const uint8_t *data, size_t size) {
    const QByteArray bytes = bytesOf(data, size);
    const auto header = core::readImageHeader(bytes);
    const int orientation = core::exifOrientation(bytes);
    require(orientation >= 1 && orientation <= 8, "an EXIF orientation is 1 to 8");
    // A small limit keeps each run quick; decoding is the decoders' job, the limit is Winnow's.
    constexpr qint64 kLimit = qint64(1) << 20;
    const core::ImageProbe probe = core::probeImage(bytes, QStringLiteral("fuzz"), kLimit);
    require(probe.item.has_value() != !probe.error.isEmpty(), "an item or a reason, not both");
    if (probe.item) {
        require(header.has_value(), "nothing is decoded without a header");
        require(qint64(probe.item->width) * probe.item->height <= kLimit,
                "nothing over the limit is accepted");
    }
    return 0;
}

} // namespace winnow::fuzz
