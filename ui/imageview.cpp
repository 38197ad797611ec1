#include "ui/imageview.h"

#include "ui/keyguide.h"

#include <QKeyEvent>
#include <QPainter>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace winnow::ui {
namespace {
constexpr double kMinScale = 0.02;
constexpr double kMaxScale = 64.0;
constexpr double kStep = 1.25;
} // namespace

ImageView::ImageView(QWidget *parent)
    : QWidget(parent) {
    setProperty(kKeyHelpProperty,
                QStringList{tr("+, =\tzoom in"), tr("-\tzoom out"), tr("F, 0\tfit to the view"),
                            tr("1\tactual size"), tr("Arrows\tmove the zoomed image")});
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(160, 160);
    setBackgroundRole(QPalette::Dark);
    setAutoFillBackground(true);
    setToolTip(tr("Wheel or +/- to zoom, drag or arrow keys to pan, F to fit, 1 for actual size"));
}

void ImageView::setImage(const QImage &image, const QString &caption) {
    m_image = image;
    m_caption = caption;
    m_placeholder.clear();
    m_fit = true;
    m_pan = {};
    update();
}

void ImageView::setPlaceholder(const QString &text) {
    m_image = {};
    m_caption.clear();
    m_placeholder = text;
    update();
}

double ImageView::fitScale() const {
    if (m_image.isNull())
        return 1.0;
    return std::min(double(width()) / m_image.width(), double(height()) / m_image.height());
}

double ImageView::zoom() const {
    return m_fit ? fitScale() : m_scale;
}

QRectF ImageView::imageRect() const {
    const double s = zoom();
    const QSizeF size(m_image.width() * s, m_image.height() * s);
    const QPointF centre = QPointF(width() / 2.0, height() / 2.0) + (m_fit ? QPointF() : m_pan);
    return {centre - QPointF(size.width() / 2, size.height() / 2), size};
}

void ImageView::clampPan() {
    // Keep at least part of the image in view.
    const double s = zoom();
    const double maxX = std::max(0.0, (m_image.width() * s + width()) / 2.0 - 32);
    const double maxY = std::max(0.0, (m_image.height() * s + height()) / 2.0 - 32);
    m_pan.setX(std::clamp(m_pan.x(), -maxX, maxX));
    m_pan.setY(std::clamp(m_pan.y(), -maxY, maxY));
}

void ImageView::zoomBy(double factor, QPointF anchor) {
    if (m_image.isNull())
        return;
    if (anchor.x() < 0)
        anchor = QPointF(width() / 2.0, height() / 2.0);
    const double old = zoom();
    const double next = std::clamp(old * factor, kMinScale, kMaxScale);
    // Keep the image point under the anchor where it is.
    const QPointF centre(width() / 2.0, height() / 2.0);
    const QPointF imageCentre = centre + (m_fit ? QPointF() : m_pan);
    const QPointF newImageCentre = anchor - (anchor - imageCentre) * (next / old);
    m_fit = false;
    m_scale = next;
    m_pan = newImageCentre - centre;
    clampPan();
    update();
}

void ImageView::fitToWindow() {
    m_fit = true;
    m_pan = {};
    update();
}

void ImageView::actualSize() {
    m_fit = false;
    m_scale = 1.0;
    m_pan = {};
    update();
}

void ImageView::paintEvent(QPaintEvent *) {
    QPainter painter(this);
    if (m_image.isNull()) {
        painter.setPen(palette().color(QPalette::BrightText));
        painter.drawText(rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap,
                         m_placeholder.isEmpty() ? tr("No image selected") : m_placeholder);
        return;
    }
    const QRectF target = imageRect();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, zoom() < 2.0);
    painter.drawImage(target, m_image);
    const QString info = QStringLiteral("%1  %2 x %3  %4 %")
                             .arg(m_caption)
                             .arg(m_image.width())
                             .arg(m_image.height())
                             .arg(std::lround(zoom() * 100));
    const QRect band(0, height() - 22, width(), 22);
    painter.fillRect(band, QColor(0, 0, 0, 140));
    painter.setPen(Qt::white);
    painter.drawText(band.adjusted(8, 0, -8, 0), Qt::AlignVCenter | Qt::AlignLeft,
                     painter.fontMetrics().elidedText(info, Qt::ElideLeft, band.width() - 16));
}

void ImageView::wheelEvent(QWheelEvent *event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0)
        zoomBy(std::pow(kStep, steps), event->position());
    event->accept();
}

void ImageView::mousePressEvent(QMouseEvent *event) {
    if (event->button() == Qt::LeftButton && !m_image.isNull()) {
        if (m_fit) {
            m_scale = fitScale();
            m_fit = false;
        }
        m_dragging = true;
        m_dragStart = event->position() - m_pan;
        setCursor(Qt::ClosedHandCursor);
    }
}

void ImageView::mouseMoveEvent(QMouseEvent *event) {
    if (!m_dragging)
        return;
    m_pan = event->position() - m_dragStart;
    clampPan();
    update();
}

void ImageView::mouseReleaseEvent(QMouseEvent *) {
    m_dragging = false;
    unsetCursor();
}

void ImageView::mouseDoubleClickEvent(QMouseEvent *) {
    if (m_fit)
        actualSize();
    else
        fitToWindow();
}

void ImageView::keyPressEvent(QKeyEvent *event) {
    constexpr double kPanStep = 48;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(kStep);
        break;
    case Qt::Key_Minus:
        zoomBy(1 / kStep);
        break;
    case Qt::Key_F:
    case Qt::Key_0:
        fitToWindow();
        break;
    case Qt::Key_1:
        actualSize();
        break;
    case Qt::Key_Left:
    case Qt::Key_Right:
    case Qt::Key_Up:
    case Qt::Key_Down: {
        if (m_fit) {
            m_scale = fitScale();
            m_fit = false;
        }
        const QPointF delta(event->key() == Qt::Key_Left    ? kPanStep
                            : event->key() == Qt::Key_Right ? -kPanStep
                                                            : 0,
                            event->key() == Qt::Key_Up     ? kPanStep
                            : event->key() == Qt::Key_Down ? -kPanStep
                                                           : 0);
        m_pan += delta;
        clampPan();
        update();
        break;
    }
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

} // namespace winnow::ui
