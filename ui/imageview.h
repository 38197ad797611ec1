#pragma once

#include <QImage>
#include <QPointF>
#include <QWidget>

namespace winnow::ui {

// Shows one image fitted to the widget, with zoom (wheel, +/-) around the cursor, pan (drag,
// arrow keys), fit (F or 0) and actual size (1). Small images are magnified without smoothing.
class ImageView final : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(QWidget *parent = nullptr);

    void setImage(const QImage &image, const QString &caption = {});
    const QImage &image() const { return m_image; }
    void setPlaceholder(const QString &text);

    double zoom() const;
    bool isFitted() const { return m_fit; }
    void zoomBy(double factor, QPointF anchor = {-1, -1});
    void fitToWindow();
    void actualSize();

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    double fitScale() const;
    QRectF imageRect() const;
    void clampPan();

    QImage m_image;
    QString m_caption;
    QString m_placeholder;
    bool m_fit = true;
    double m_scale = 1.0;
    QPointF m_pan; // image centre offset from widget centre, in widget pixels
    QPointF m_dragStart;
    bool m_dragging = false;
};

} // namespace winnow::ui
