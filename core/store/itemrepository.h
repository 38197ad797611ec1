#pragma once

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <utility>
#include <vector>

namespace winnow::core {

class Database;
class Project;
enum class Split;

// What the curation and training code needs of every item at once: where it is, its split,
// its size and its fingerprints.
struct ItemFacts {
    qint64 id = 0;
    QString path; // absolute
    QString split;
    int width = 0, height = 0, channels = 0;
    QByteArray contentHash, pixelHash;
    std::uint64_t perceptualHash = 0, mirroredHash = 0;
};

// Items as whole sets (the browser pages through Project::items instead). Methods throw
// StoreError.
class ItemRepository {
public:
    enum class Order { ById, ByPath };

    explicit ItemRepository(Project &project);

    std::vector<ItemFacts> all(Order order);
    // Every item's stored path with the kind and source of the import that brought it, by id.
    struct Origin {
        qint64 id = 0;
        QString storedPath;
        QString importKind, importSource;
    };
    std::vector<Origin> origins();
    // Moves items to other splits, all or none.
    void setSplits(const std::vector<std::pair<qint64, Split>> &splits);

    // Copies of the images themselves, kept in team projects (core/io/imagecopies).
    struct ImageCopy {
        qint64 itemId = 0;
        QString format; // file extension: png, jpg, ...
        QByteArray data;
    };
    // The stored copy of an item's image, empty when there is none.
    QByteArray imageCopy(qint64 itemId);
    // Items that have no stored image copy yet: id and absolute path, in id order.
    std::vector<std::pair<qint64, QString>> withoutImageCopy();
    void addImageCopies(const std::vector<ImageCopy> &copies);

private:
    Project &m_project;
    Database &m_db;
};

} // namespace winnow::core
