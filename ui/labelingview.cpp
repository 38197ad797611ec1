#include "ui/labelingview.h"

#include "core/io/rasterimage.h"
#include "ui/imageview.h"
#include "ui/keyguide.h"
#include "ui/qimageconvert.h"

#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace winnow::ui {
namespace {
constexpr int kStatsRefreshMs = 15000;
// While a team project's server is unreachable, unsaved answers are retried this often.
constexpr int kRetryMs = 2000;
const QString kDefaultInstructions =
    QStringLiteral("Press the key of the class you see. The next image follows at once.\n\n"
                   "- **Backspace** or **Ctrl+Z** undoes your last answer.\n"
                   "- **Space** skips an image you cannot decide on.\n"
                   "- **+** / **-** zoom, arrow keys pan, **Ctrl+0** fits the image.");
} // namespace

LabelingView::LabelingView(QWidget *parent)
    : QWidget(parent) {
    setProperty(kKeyHelpProperty,
                QStringList{tr("Class key\tanswer that class (the key shown on its button)"),
                            tr("Backspace, Ctrl+Z\tundo the last answer"),
                            tr("Space\tskip this image"), tr("Ctrl+0\tfit the image"),
                            tr("Ctrl+1\tshow the image at actual size"),
                            tr("+, =, -\tzoom in and out"), tr("Arrows\tmove the zoomed image")});
    setFocusPolicy(Qt::StrongFocus);
    auto *layout = new QHBoxLayout(this);
    m_imageView = new ImageView;
    // Letters and digits are class keys here: the view names the image keys it passes on.
    m_imageView->setProperty(kKeyHelpProperty, QStringList{});
    m_imageView->setFocusPolicy(Qt::NoFocus); // keys belong to the classes here
    layout->addWidget(m_imageView, 1);

    auto *side = new QWidget;
    side->setFixedWidth(300);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    m_progress = new QLabel;
    m_progress->setToolTip(tr("Your answers today, and the images still waiting for you"));
    m_progress->setStyleSheet(QStringLiteral("font-size: 14pt;"));
    m_progress->setWordWrap(true);
    sideLayout->addWidget(m_progress);
    m_saved = new QLabel;
    m_saved->setWordWrap(true);
    m_saved->setToolTip(tr("Every answer is written to the project before it is shown as saved"));
    sideLayout->addWidget(m_saved);

    auto *classesBox = new QGroupBox(tr("Classes"));
    m_classLayout = new QVBoxLayout(classesBox);
    m_classLayout->setSpacing(2);
    sideLayout->addWidget(classesBox);

    auto *controls = new QHBoxLayout;
    auto *undoButton = new QPushButton(tr("Undo"));
    undoButton->setToolTip(tr("Undo your last answer (Backspace, Ctrl+Z)"));
    undoButton->setFocusPolicy(Qt::NoFocus);
    connect(undoButton, &QPushButton::clicked, this, &LabelingView::undo);
    auto *skipButton = new QPushButton(tr("Skip"));
    skipButton->setToolTip(tr("Leave this image for later (Space)"));
    skipButton->setFocusPolicy(Qt::NoFocus);
    connect(skipButton, &QPushButton::clicked, this, &LabelingView::skip);
    controls->addWidget(undoButton);
    controls->addWidget(skipButton);
    sideLayout->addLayout(controls);

    auto *wantedRow = new QHBoxLayout;
    wantedRow->addWidget(new QLabel(tr("Answers wanted per image")));
    m_wanted = new QSpinBox;
    m_wanted->setRange(1, 50);
    m_wanted->setFocusPolicy(Qt::ClickFocus);
    m_wantedTip = tr("How many annotators should answer each image (like Ground Truth's overlap)");
    m_wanted->setToolTip(m_wantedTip);
    connect(m_wanted, &QSpinBox::valueChanged, this, [this](int value) {
        if (!m_project)
            return;
        if (const auto saved = core::LabelingSession::setAnswersWanted(*m_project, value); !saved)
            Q_EMIT failed(saved.error().message);
        refreshStats();
        setFocus();
    });
    wantedRow->addWidget(m_wanted);
    sideLayout->addLayout(wantedRow);

    auto *instructionsBox = new QGroupBox(tr("Instructions"));
    auto *instructionsLayout = new QVBoxLayout(instructionsBox);
    m_instructions = new QTextBrowser;
    m_instructions->setFocusPolicy(Qt::NoFocus);
    instructionsLayout->addWidget(m_instructions);
    auto *edit = m_editInstructions = new QPushButton(tr("Edit Instructions…"));
    edit->setFocusPolicy(Qt::NoFocus);
    edit->setToolTip(tr("Change the text every annotator of this project sees"));
    connect(edit, &QPushButton::clicked, this, &LabelingView::editInstructions);
    instructionsLayout->addWidget(edit);
    sideLayout->addWidget(instructionsBox, 1);
    layout->addWidget(side);

    auto *statsTimer = new QTimer(this);
    statsTimer->setInterval(kStatsRefreshMs);
    connect(statsTimer, &QTimer::timeout, this, [this] {
        if (isVisible())
            refreshStats();
    });
    statsTimer->start();

    m_retry = new QTimer(this);
    m_retry->setInterval(kRetryMs);
    connect(m_retry, &QTimer::timeout, this, &LabelingView::retryUnsaved);
}

LabelingView::~LabelingView() {
    stop();
}

void LabelingView::start(core::Project *project, qint64 annotatorId) {
    stop();
    if (!project || annotatorId <= 0)
        return;
    m_project = project;
    m_session = std::make_unique<core::LabelingSession>(*project, annotatorId);
    // Claims left over from a session that ended badly are stale; start clean.
    if (const auto released = m_session->releaseAll(); !released)
        Q_EMIT failed(released.error().message);
    reloadClasses();
    refreshStats();
    refill();
    showNext();
}

void LabelingView::setMayEditProject(bool may) {
    m_wanted->setEnabled(may);
    m_editInstructions->setEnabled(may);
    const QString owners = tr("Only the project's owner can change this");
    m_wanted->setToolTip(may ? m_wantedTip : owners);
    m_editInstructions->setToolTip(may ? tr("Change the text every annotator of this project sees")
                                       : owners);
}

void LabelingView::stop() {
    if (!m_unsaved.empty())
        retryUnsaved(); // a last try; what still fails is named, not dropped silently
    if (!m_unsaved.empty())
        Q_EMIT failed(tr("%n answer(s) could not be saved: the server is unreachable", nullptr,
                         int(m_unsaved.size())));
    m_unsaved.clear();
    m_retry->stop();
    // Claims also expire on their own, so a failure here only delays others for a while.
    if (m_session) {
        if (const auto released = m_session->releaseAll(); !released)
            qWarning("cannot release claims: %s", qPrintable(released.error().message));
    }
    for (auto &future : m_decoded)
        future.waitForFinished();
    m_decoded.clear();
    m_queue.clear();
    m_current.reset();
    m_session.reset();
    m_project = nullptr;
    m_classes.clear();
    buildClassPanel(); // no buttons of a project that is gone
    m_imageView->setPlaceholder(tr("Open a project to label"));
    m_saved->clear();
    m_progress->clear();
}

void LabelingView::reloadClasses() {
    if (!m_project)
        return;
    if (auto classes = m_project->classes())
        m_classes = std::move(classes).value();
    buildClassPanel();
    const auto wanted = core::LabelingSession::answersWanted(*m_project);
    {
        const QSignalBlocker block(m_wanted);
        m_wanted->setValue(wanted ? *wanted : core::LabelingSession::kDefaultAnswersWanted);
    }
    const auto text =
        m_project->setting(QString::fromLatin1(core::LabelingSession::kInstructionsKey));
    m_instructions->setMarkdown(text && !text->isEmpty() ? *text : kDefaultInstructions);
}

void LabelingView::buildClassPanel() {
    while (QLayoutItem *item = m_classLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const core::ClassInfo &info : m_classes) {
        auto *button = new QPushButton(QStringLiteral("%1   %2").arg(
            info.shortcut.isEmpty() ? QStringLiteral(" ") : info.shortcut.toUpper(), info.name));
        button->setFocusPolicy(Qt::NoFocus);
        QPixmap swatch(14, 14);
        swatch.fill(QColor(info.color));
        button->setIcon(QIcon(swatch));
        button->setStyleSheet(QStringLiteral("text-align: left; padding: 4px;"));
        button->setToolTip(
            info.shortcut.isEmpty()
                ? tr("Label as %1").arg(info.name)
                : tr("Label as %1 (key %2)").arg(info.name, info.shortcut.toUpper()));
        const qint64 id = info.id;
        connect(button, &QPushButton::clicked, this, [this, id] { answerCurrent(id); });
        m_classLayout->addWidget(button);
    }
    if (m_classes.empty() && m_project) {
        auto *hint = new QLabel(tr("No classes yet: add them with Labeling > Manage Classes."));
        hint->setWordWrap(true);
        m_classLayout->addWidget(hint);
    }
}

QFuture<QImage> LabelingView::decode(const core::QueueEntry &entry) {
    return loadItemImage(m_project, entry.itemId, entry.path, kMaxImageSide);
}

void LabelingView::prefetch() {
    // Keep decoded images for the current one and the next few; drop the rest.
    QHash<qint64, QFuture<QImage>> keep;
    auto want = [&](const core::QueueEntry &entry) {
        if (const auto it = m_decoded.constFind(entry.itemId); it != m_decoded.constEnd())
            keep.insert(entry.itemId, *it);
        else
            keep.insert(entry.itemId, decode(entry));
    };
    if (m_current)
        want(*m_current);
    for (size_t i = 0; i < m_queue.size() && i < size_t(m_prefetch); ++i)
        want(m_queue[i]);
    m_decoded = std::move(keep);
}

void LabelingView::refill() {
    if (!m_session || m_refilling || m_queue.size() >= size_t(m_prefetch + 1))
        return;
    m_refilling = true;
    const auto claimed = m_session->claim(kClaimBatch);
    m_refilling = false;
    if (!claimed) {
        Q_EMIT failed(claimed.error().message);
        return;
    }
    for (const core::QueueEntry &entry : *claimed) {
        const bool present =
            (m_current && m_current->itemId == entry.itemId) ||
            std::any_of(m_queue.begin(), m_queue.end(),
                        [&](const core::QueueEntry &e) { return e.itemId == entry.itemId; });
        if (!present)
            m_queue.push_back(entry);
    }
    prefetch();
}

void LabelingView::showNext() {
    if (m_queue.empty())
        refill();
    if (m_queue.empty()) {
        m_current.reset();
        m_imageView->setPlaceholder(
            tr("Nothing left to label: every image has the answers it needs, "
               "or you have answered it."));
        updateProgress();
        return;
    }
    const core::QueueEntry entry = m_queue.front();
    m_queue.pop_front();
    showEntry(entry);
    // Claiming and decoding ahead happen after this image is on screen.
    QTimer::singleShot(0, this, [this] {
        refill();
        prefetch();
    });
}

void LabelingView::showEntry(const core::QueueEntry &entry) {
    m_current = entry;
    auto future = m_decoded.value(entry.itemId);
    if (!future.isValid()) {
        future = decode(entry);
        m_decoded.insert(entry.itemId, future);
    }
    const QString caption = QFileInfo(entry.path).fileName();
    if (future.isFinished()) {
        const QImage image = future.result();
        if (image.isNull())
            m_imageView->setPlaceholder(
                m_project && m_project->isOnServer()
                    ? tr("Neither %1 nor a copy on the server can be read — press Space to skip "
                         "it")
                          .arg(entry.path)
                    : tr("Cannot read %1 — press Space to skip it").arg(entry.path));
        else
            m_imageView->setImage(image, caption);
        m_imageView->repaint();
        m_shownFor.start();
        Q_EMIT imageShown(entry.itemId);
    } else {
        m_imageView->setPlaceholder(tr("Loading %1…").arg(caption));
        auto *watcher = new QFutureWatcher<QImage>(this);
        const qint64 id = entry.itemId;
        connect(watcher, &QFutureWatcher<QImage>::finished, this, [this, watcher, id, entry] {
            watcher->deleteLater();
            if (m_current && m_current->itemId == id)
                showEntry(entry);
        });
        watcher->setFuture(future);
    }
    updateProgress();
}

void LabelingView::answerCurrent(qint64 classId) {
    if (!m_session || !m_current)
        return;
    const core::QueueEntry entry = *m_current;
    const qint64 looked = m_shownFor.isValid() ? m_shownFor.elapsed() : -1;
    // Answers wait behind unsaved ones, so they reach the server in the order given.
    if (!m_unsaved.empty()) {
        keepUnsaved(entry.itemId, classId, looked, entry.path);
        return;
    }
    const auto saved = m_session->answer(entry.itemId, classId, looked);
    if (!saved && !m_project->isConnected()) {
        keepUnsaved(entry.itemId, classId, looked, entry.path);
        return;
    }
    if (!saved) {
        m_saved->setText(tr("<b>Not saved:</b> %1").arg(saved.error().message.toHtmlEscaped()));
        Q_EMIT failed(saved.error().message);
        return;
    }
    ++m_stats.doneToday;
    m_stats.leftInQueue = std::max<qint64>(0, m_stats.leftInQueue - 1);
    m_saved->setText(tr("✔ Saved <b>%1</b> for %2")
                         .arg(className(classId).toHtmlEscaped(),
                              QFileInfo(entry.path).fileName().toHtmlEscaped()));
    m_decoded.remove(entry.itemId);
    Q_EMIT answerSaved(entry.itemId, classId);
    showNext();
}

QString LabelingView::className(qint64 classId) const {
    for (const core::ClassInfo &info : m_classes)
        if (info.id == classId)
            return info.name;
    return {};
}

// The server is unreachable: the answer stays here, shown as unsaved, and the annotator goes on
// with the images already claimed; a timer saves everything once the server is back.
void LabelingView::keepUnsaved(qint64 itemId, qint64 classId, qint64 durationMs,
                               const QString &path) {
    m_unsaved.push_back({itemId, classId, durationMs, path});
    showUnsaved(tr("the server is unreachable"));
    if (!m_retry->isActive())
        m_retry->start();
    m_decoded.remove(itemId);
    showNext();
}

void LabelingView::showUnsaved(const QString &reason) {
    const Unsaved &last = m_unsaved.back();
    m_saved->setText(tr("<span style='color:#d62728'>⚠ <b>Not saved yet</b> (%n answer(s)): "
                        "<b>%1</b> for %2 — %3; retrying every %4 s</span>",
                        nullptr, int(m_unsaved.size()))
                         .arg(className(last.classId).toHtmlEscaped(),
                              QFileInfo(last.path).fileName().toHtmlEscaped(),
                              reason.toHtmlEscaped())
                         .arg(kRetryMs / 1000));
}

void LabelingView::retryUnsaved() {
    if (!m_session) {
        m_retry->stop();
        return;
    }
    int saved = 0;
    while (!m_unsaved.empty()) {
        const Unsaved &next = m_unsaved.front();
        // answerOnce: a save whose reply was lost may have committed; it is not doubled.
        const auto result = m_session->answerOnce(next.itemId, next.classId, next.durationMs);
        if (!result) {
            showUnsaved(m_project->isConnected() ? result.error().message
                                                 : tr("the server is still unreachable"));
            return;
        }
        Q_EMIT answerSaved(next.itemId, next.classId);
        m_unsaved.pop_front();
        ++saved;
        ++m_stats.doneToday;
        m_stats.leftInQueue = std::max<qint64>(0, m_stats.leftInQueue - 1);
    }
    m_retry->stop();
    m_saved->setText(
        tr("✔ The server is back: saved %n answer(s) given meanwhile", nullptr, saved));
    updateProgress();
    if (!m_current)
        showNext();
}

void LabelingView::undo() {
    if (!m_session)
        return;
    const auto undone = m_session->undoLast();
    if (!undone) {
        Q_EMIT failed(undone.error().message);
        return;
    }
    if (!*undone) {
        m_saved->setText(tr("Nothing to undo"));
        return;
    }
    const qint64 itemId = **undone;
    // Put the current image back in the queue and return to the undone one.
    if (m_current)
        m_queue.push_front(*m_current);
    std::erase_if(m_queue, [&](const core::QueueEntry &e) { return e.itemId == itemId; });
    const auto items = m_project->itemPath(itemId);
    m_stats.doneToday = std::max<qint64>(0, m_stats.doneToday - 1);
    ++m_stats.leftInQueue;
    m_saved->setText(
        tr("↶ Undone: your answer for %1").arg(items ? QFileInfo(*items).fileName() : QString()));
    showEntry({itemId, items ? *items : QString(), 0});
}

void LabelingView::skip() {
    if (!m_session || !m_current)
        return;
    // A skipped image is given back, so another annotator (or this one, later) gets it.
    if (const auto released = m_session->release({m_current->itemId}); !released)
        Q_EMIT failed(released.error().message);
    m_decoded.remove(m_current->itemId);
    m_stats.leftInQueue = std::max<qint64>(0, m_stats.leftInQueue - 1);
    m_saved->setText(tr("Skipped %1").arg(QFileInfo(m_current->path).fileName()));
    m_current.reset();
    showNext();
}

QString LabelingView::lastSavedText() const {
    return m_saved->text();
}

void LabelingView::updateProgress() {
    QString text = tr("Done today <b>%L1</b> · Left <b>%L2</b>")
                       .arg(m_stats.doneToday)
                       .arg(m_stats.leftInQueue);
    if (m_project && m_project->isOnServer())
        text += tr(" · The team still needs <b>%L1</b> items").arg(m_stats.teamNeeds);
    m_progress->setText(text);
}

void LabelingView::refreshStats() {
    if (!m_session)
        return;
    if (const auto stats = m_session->stats())
        m_stats = *stats;
    updateProgress();
}

void LabelingView::editInstructions() {
    if (!m_project)
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Instructions for annotators"));
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(new QLabel(tr("Shown beside every image while labeling (Markdown).")));
    auto *editor = new QPlainTextEdit;
    const auto current =
        m_project->setting(QString::fromLatin1(core::LabelingSession::kInstructionsKey));
    editor->setPlainText(current && !current->isEmpty() ? *current : kDefaultInstructions);
    layout->addWidget(editor);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(520, 400);
    if (dialog.exec() == QDialog::Accepted) {
        if (const auto saved =
                m_project->setSetting(QString::fromLatin1(core::LabelingSession::kInstructionsKey),
                                      editor->toPlainText());
            !saved)
            Q_EMIT failed(saved.error().message);
        reloadClasses();
    }
    setFocus();
}

void LabelingView::keyPressEvent(QKeyEvent *event) {
    const int key = event->key();
    const auto mods = event->modifiers() & ~Qt::KeypadModifier;
    if (key == Qt::Key_Backspace || (key == Qt::Key_Z && mods == Qt::ControlModifier)) {
        undo();
        return;
    }
    if (key == Qt::Key_Space) {
        skip();
        return;
    }
    if (mods == Qt::ControlModifier && key == Qt::Key_0) {
        m_imageView->fitToWindow();
        return;
    }
    if (mods == Qt::ControlModifier && key == Qt::Key_1) {
        m_imageView->actualSize();
        return;
    }
    if (mods == Qt::NoModifier || mods == Qt::ShiftModifier) {
        const QString text = event->text().toLower();
        if (!text.isEmpty()) {
            for (const core::ClassInfo &info : m_classes) {
                if (!info.shortcut.isEmpty() && info.shortcut == text) {
                    answerCurrent(info.id);
                    return;
                }
            }
        }
    }
    switch (key) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
    case Qt::Key_Minus:
    case Qt::Key_Left:
    case Qt::Key_Right:
    case Qt::Key_Up:
    case Qt::Key_Down:
        QCoreApplication::sendEvent(m_imageView, event);
        return;
    default:
        QWidget::keyPressEvent(event);
    }
}

void LabelingView::showEvent(QShowEvent *event) {
    QWidget::showEvent(event);
    setFocus();
    m_shownFor.start(); // time looking counts from when the annotator sees the view
    refreshStats();
}

} // namespace winnow::ui
