#pragma once

#include <QStyledItemDelegate>

namespace winnow::ui {

class ThumbnailCache;

// Paints one grid cell: the thumbnail (or a placeholder while it loads), a label colour strip
// and the file name.
class ThumbnailDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit ThumbnailDelegate(ThumbnailCache *cache, QObject *parent = nullptr);

    void setCellSize(int side);
    int cellSide() const { return m_side; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    ThumbnailCache *m_cache;
    int m_side = 112;
};

} // namespace winnow::ui
