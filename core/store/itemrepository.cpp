#include "core/store/itemrepository.h"

#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"

namespace winnow::core {
namespace {

constexpr auto kSelectById =
    "SELECT id, path, split, width, height, channels, content_hash, pixel_hash,"
    " COALESCE(perceptual_hash, 0), COALESCE(mirrored_hash, 0) FROM items ORDER BY id";
constexpr auto kSelectByPath =
    "SELECT id, path, split, width, height, channels, content_hash, pixel_hash,"
    " COALESCE(perceptual_hash, 0), COALESCE(mirrored_hash, 0) FROM items ORDER BY path";
constexpr auto kSelectOrigins =
    "SELECT i.id, i.path, b.kind, b.source FROM items i JOIN import_batches b ON b.id = i.batch_id"
    " ORDER BY i.id";
constexpr auto kUpdateSplit = "UPDATE items SET split = ? WHERE id = ?";

} // namespace

ItemRepository::ItemRepository(Project &project)
    : m_project(project)
    , m_db(databaseOf(project)) {
}

std::vector<ItemFacts> ItemRepository::all(Order order) {
    std::vector<ItemFacts> items;
    Statement query(m_db, order == Order::ById ? kSelectById : kSelectByPath);
    while (query.step()) {
        ItemFacts item;
        item.id = query.int64(0);
        item.path = m_project.absolutePath(query.text(1));
        item.split = query.text(2);
        item.width = int(query.int64(3));
        item.height = int(query.int64(4));
        item.channels = int(query.int64(5));
        item.contentHash = query.blob(6);
        item.pixelHash = query.blob(7);
        item.perceptualHash = std::uint64_t(query.int64(8));
        item.mirroredHash = std::uint64_t(query.int64(9));
        items.push_back(std::move(item));
    }
    return items;
}

std::vector<ItemRepository::Origin> ItemRepository::origins() {
    std::vector<Origin> origins;
    Statement query(m_db, kSelectOrigins);
    while (query.step())
        origins.push_back({query.int64(0), query.text(1), query.text(2), query.text(3)});
    return origins;
}

void ItemRepository::setSplits(const std::vector<std::pair<qint64, Split>> &splits) {
    Transaction transaction(m_db);
    Statement update(m_db, kUpdateSplit);
    for (const auto &[id, split] : splits) {
        update.bind(1, splitName(split)).bind(2, id);
        update.run();
    }
    transaction.commit();
}

QByteArray ItemRepository::imageCopy(qint64 itemId) {
    Statement query(m_db, "SELECT data FROM image_copies WHERE item_id = ?");
    query.bind(1, itemId);
    return query.step() ? query.blob(0) : QByteArray();
}

std::vector<std::pair<qint64, QString>> ItemRepository::withoutImageCopy() {
    std::vector<std::pair<qint64, QString>> items;
    Statement query(m_db, "SELECT i.id, i.path FROM items i WHERE NOT EXISTS"
                          " (SELECT 1 FROM image_copies c WHERE c.item_id = i.id) ORDER BY i.id");
    while (query.step())
        items.emplace_back(query.int64(0), m_project.absolutePath(query.text(1)));
    return items;
}

void ItemRepository::addImageCopies(const std::vector<ImageCopy> &copies) {
    Transaction transaction(m_db);
    Statement insert(m_db, "INSERT INTO image_copies (item_id, format, data) VALUES (?, ?, ?)"
                           " ON CONFLICT (item_id) DO NOTHING");
    for (const ImageCopy &copy : copies) {
        insert.bind(1, copy.itemId).bind(2, copy.format).bind(3, copy.data);
        insert.run();
    }
    transaction.commit();
}

} // namespace winnow::core
