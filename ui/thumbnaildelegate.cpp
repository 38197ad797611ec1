#include "ui/thumbnaildelegate.h"

#include "ui/datasetmodel.h"
#include "ui/thumbnailcache.h"

#include <QApplication>
#include <QPainter>

namespace winnow::ui {
namespace {
constexpr int kTextHeight = 18;
constexpr int kMargin = 4;
} // namespace

ThumbnailDelegate::ThumbnailDelegate(ThumbnailCache *cache, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_cache(cache) {
}

void ThumbnailDelegate::setCellSize(int side) {
    m_side = side;
}

QSize ThumbnailDelegate::sizeHint(const QStyleOptionViewItem &, const QModelIndex &) const {
    return {m_side + 2 * kMargin, m_side + kTextHeight + 2 * kMargin};
}

void ThumbnailDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const {
    painter->save();
    const QRect cell = option.rect.adjusted(1, 1, -1, -1);
    const QPalette &palette = option.palette;
    const bool selected = option.state & QStyle::State_Selected;
    painter->fillRect(cell, selected ? palette.highlight() : palette.base());

    const QRect imageRect(cell.left() + kMargin - 1, cell.top() + kMargin - 1, m_side, m_side);
    const QPixmap pixmap = m_cache->pixmap(index.data(DatasetModel::ItemIdRole).toLongLong(),
                                           index.data(DatasetModel::PathRole).toString());
    if (pixmap.isNull() || pixmap.width() <= 1) {
        painter->fillRect(imageRect, palette.alternateBase());
    } else {
        // Small images (28 px, 32 px) are scaled up without smoothing so pixels stay crisp.
        const QSize fitted = pixmap.size().scaled(imageRect.size(), Qt::KeepAspectRatio);
        const QRect target(imageRect.left() + (imageRect.width() - fitted.width()) / 2,
                           imageRect.top() + (imageRect.height() - fitted.height()) / 2,
                           fitted.width(), fitted.height());
        painter->setRenderHint(QPainter::SmoothPixmapTransform, fitted.width() < pixmap.width());
        painter->drawPixmap(target, pixmap);
    }

    const QColor classColor = index.data(DatasetModel::ClassColorRole).value<QColor>();
    const QRect textRect(cell.left() + kMargin, imageRect.bottom() + 2, m_side, kTextHeight);
    QString text = index.data(DatasetModel::ClassNameRole).toString();
    if (classColor.isValid()) {
        painter->fillRect(QRect(textRect.left() - 1, textRect.top() + 3, 4, kTextHeight - 6),
                          classColor);
    }
    if (text.isEmpty())
        text = index.data(Qt::DisplayRole).toString();
    painter->setPen(selected ? palette.highlightedText().color() : palette.text().color());
    painter->drawText(
        textRect.adjusted(6, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft,
        painter->fontMetrics().elidedText(text, Qt::ElideMiddle, textRect.width() - 6));
    if (option.state & QStyle::State_HasFocus) {
        painter->setPen(QPen(palette.highlight().color(), 2));
        painter->drawRect(cell.adjusted(1, 1, -1, -1));
    }
    painter->restore();
}

} // namespace winnow::ui
