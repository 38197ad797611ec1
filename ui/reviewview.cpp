#include "ui/reviewview.h"

#include "core/io/rasterimage.h"
#include "core/loop/loopactions.h"
#include "ui/imageview.h"
#include "ui/job.h"
#include "ui/keyguide.h"
#include "ui/qimageconvert.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace winnow::ui {
namespace {
enum Column { kItem, kLabel, kConfidence, kAnswers, kEntropy, kDecision, kColumns };
} // namespace

ReviewView::ReviewView(QWidget *parent)
    : QWidget(parent) {
    setProperty(kKeyHelpProperty, QStringList{tr("Enter\taccept the consolidated label"),
                                              tr("Class key\toverride with that class"),
                                              tr("M\tsend back for more answers")});
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_method = new QComboBox;
    m_method->addItems(core::consensusMethodNames());
    m_method->setCurrentText(QStringLiteral("ground-truth"));
    m_method->setToolTip(tr("How answers become one label: ground-truth is SageMaker Ground "
                            "Truth's modified Dawid-Skene"));
    m_run = new QPushButton(tr("Consolidate"));
    m_run->setToolTip(tr("Run the method over every answer in the project and store the result"));
    connect(m_run, &QPushButton::clicked, this, [this] { consolidate(m_method->currentText()); });
    m_consolidations = new QComboBox;
    m_consolidations->setToolTip(tr("Which stored consolidation to review"));
    m_useForTraining = new QPushButton(tr("Use for Training"));
    m_useForTraining->setToolTip(
        tr("Train on this consolidation's labels from now on (review decisions still come first). "
           "Until then a new consolidation changes nothing in training."));
    connect(m_useForTraining, &QPushButton::clicked, this, &ReviewView::markCurrent);
    m_order = new QComboBox;
    m_order->addItem(tr("Least confident first"));
    m_order->addItem(tr("Most disputed first (entropy)"));
    m_classFilter = new QComboBox;
    m_classFilter->setToolTip(tr("Only items consolidated to this class"));
    m_minConfidence = new QDoubleSpinBox;
    m_maxConfidence = new QDoubleSpinBox;
    for (QDoubleSpinBox *box : {m_minConfidence, m_maxConfidence}) {
        box->setRange(0, 1);
        box->setSingleStep(0.05);
        box->setDecimals(2);
    }
    m_maxConfidence->setValue(1);
    m_minConfidence->setToolTip(tr("Lowest confidence shown"));
    m_maxConfidence->setToolTip(tr("Highest confidence shown"));
    m_disagreement = new QCheckBox(tr("Methods disagree"));
    m_disagreement->setToolTip(
        tr("Only items where the latest consolidation of another method chose another label"));
    bar->addWidget(m_method);
    bar->addWidget(m_run);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Review")));
    bar->addWidget(m_consolidations, 1);
    bar->addWidget(m_useForTraining);
    bar->addWidget(m_order);
    bar->addWidget(m_classFilter);
    bar->addWidget(new QLabel(tr("Confidence")));
    bar->addWidget(m_minConfidence);
    bar->addWidget(new QLabel(QStringLiteral("–")));
    bar->addWidget(m_maxConfidence);
    bar->addWidget(m_disagreement);
    m_modelDisagrees = new QCheckBox(tr("Model d&isagrees"));
    m_modelDisagrees->setObjectName(QStringLiteral("modelDisagrees"));
    m_modelDisagrees->setToolTip(tr("Only items a model's out-of-sample predictions flagged as "
                                    "likely label errors (Model tab, Find Label Errors)"));
    bar->addWidget(m_modelDisagrees);
    layout->addLayout(bar);
    for (QComboBox *box : {m_consolidations, m_order, m_classFilter})
        connect(box, &QComboBox::currentIndexChanged, this, &ReviewView::loadQueue);
    for (QDoubleSpinBox *box : {m_minConfidence, m_maxConfidence})
        connect(box, &QDoubleSpinBox::valueChanged, this, &ReviewView::loadQueue);
    connect(m_disagreement, &QCheckBox::toggled, this, &ReviewView::loadQueue);
    connect(m_modelDisagrees, &QCheckBox::toggled, this, &ReviewView::loadQueue);

    auto *splitter = new QSplitter;
    m_queue = new QTableWidget(0, kColumns);
    m_queue->setHorizontalHeaderLabels(
        {tr("Item"), tr("Label"), tr("Confidence"), tr("Answers"), tr("Entropy"), tr("Review")});
    m_queue->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_queue->setSelectionMode(QAbstractItemView::SingleSelection);
    m_queue->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_queue->verticalHeader()->hide();
    m_queue->horizontalHeader()->setSectionResizeMode(kItem, QHeaderView::Stretch);
    m_queue->installEventFilter(this);
    m_queue->setToolTip(tr("Enter accepts · a class key overrides · M asks for more answers"));
    connect(m_queue, &QTableWidget::currentCellChanged, this, &ReviewView::showCurrent);
    splitter->addWidget(m_queue);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    m_imageView = new ImageView;
    m_imageView->setFocusPolicy(Qt::NoFocus);
    rightLayout->addWidget(m_imageView, 1);
    m_details = new QLabel;
    m_details->setObjectName(QStringLiteral("reviewDetails"));
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::RichText);
    rightLayout->addWidget(m_details);
    m_note = new QLineEdit;
    m_note->setPlaceholderText(
        tr("Note for the next override (optional; Ctrl+E to type, Esc to return)"));
    m_note->installEventFilter(this);
    rightLayout->addWidget(m_note);
    // An action, not a key handler, so the window's own shortcuts can never take the key first.
    auto *typeNote = new QAction(tr("Type a Review Note"), this);
    typeNote->setShortcut(Qt::CTRL | Qt::Key_E);
    typeNote->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(typeNote, &QAction::triggered, m_note,
            [this] { m_note->setFocus(Qt::ShortcutFocusReason); });
    addAction(typeNote);
    auto *help = new QLabel(tr("<b>Enter</b> accept · <b>class key</b> override · <b>M</b> more "
                               "answers · <b>Ctrl+E</b> note"));
    rightLayout->addWidget(help);
    splitter->addWidget(right);
    splitter->setSizes({520, 600});
    layout->addWidget(splitter, 1);

    m_consolidation = new Job(this);
    connect(m_consolidation, &Job::finished, this, [this](const QString &error) {
        m_run->setEnabled(true);
        if (!error.isEmpty()) {
            Q_EMIT failed(error);
            return;
        }
        if (m_consolidated.cancelled) {
            Q_EMIT failed(tr("Consolidation cancelled: nothing was stored"));
            return;
        }
        reload();
        Q_EMIT consolidated(m_consolidated);
    });
    connect(&m_image, &QFutureWatcherBase::finished, this, [this] {
        const QImage image = m_image.result();
        if (image.isNull())
            m_imageView->setPlaceholder(tr("Cannot read the image"));
        else
            m_imageView->setImage(image, QFileInfo(m_rows.empty() || m_queue->currentRow() < 0
                                                       ? QString()
                                                       : m_rows[size_t(m_queue->currentRow())].path)
                                             .fileName());
    });
}

ReviewView::~ReviewView() {
    m_consolidation->cancel();
    m_consolidation->wait();
    m_image.waitForFinished();
}

void ReviewView::setProject(core::Project *project, qint64 reviewerId) {
    m_project = project;
    m_reviewerId = reviewerId;
    reload();
}

void ReviewView::refreshAnswers() {
    showDetails(); // the image stays as it is
}

void ReviewView::reload() {
    const QSignalBlocker blockA(m_consolidations), blockB(m_classFilter);
    const QVariant previousClass = m_classFilter->currentData();
    m_consolidations->clear();
    m_classFilter->clear();
    m_classes.clear();
    m_classFilter->addItem(tr("All classes"));
    if (m_project) {
        if (auto classes = m_project->classes())
            m_classes = std::move(classes).value();
        for (const core::ClassInfo &c : m_classes)
            m_classFilter->addItem(c.name, c.id);
        if (const auto list = core::listConsolidations(*m_project)) {
            for (const core::ConsolidationInfo &c : *list)
                m_consolidations->addItem(
                    tr("#%1 %2 — %3 items — %4%5")
                        .arg(c.id)
                        .arg(c.method)
                        .arg(c.items)
                        .arg(c.createdAt.left(16).replace(u'T', u' '),
                             c.current ? tr(" — used for training") : QString()),
                    c.id);
        }
    }
    m_classFilter->setCurrentIndex(std::max(0, m_classFilter->findData(previousClass)));
    loadQueue();
}

void ReviewView::markCurrent() {
    const qint64 id = consolidationId();
    if (!m_project || id == 0)
        return;
    if (const auto marked = core::markConsolidationCurrent(*m_project, id); !marked) {
        Q_EMIT failed(marked.error().message);
        return;
    }
    {
        const QSignalBlocker block(m_consolidations);
        const int index = m_consolidations->currentIndex();
        reload();
        m_consolidations->setCurrentIndex(index);
    }
    loadQueue();
    Q_EMIT trainingLabelsChanged();
}

void ReviewView::consolidate(const QString &method) {
    if (!m_project || m_consolidation->isRunning())
        return;
    const auto chosen = core::makeConsensusMethod(method);
    if (!chosen) {
        Q_EMIT failed(tr("unknown method %1").arg(method));
        return;
    }
    m_run->setEnabled(false);
    const QString dir = m_project->directory();
    m_consolidation->start([this, dir, method](const core::ProgressFn &progress,
                                               const core::CancelToken &cancel) -> QString {
        auto project = core::Project::open(dir);
        if (!project)
            return project.error().message;
        auto result = core::consolidateProject(**project, *core::makeConsensusMethod(method), {},
                                               progress, &cancel);
        if (!result)
            return result.error().message;
        m_consolidated = *result; // read on the GUI thread only after the job finished
        return {};
    });
    m_consolidation->showProgress(this, tr("Consolidating with %1…").arg(method));
}

qint64 ReviewView::consolidationId() const {
    return m_consolidations->currentData().toLongLong();
}

qint64 ReviewView::currentItemId() const {
    const int row = m_queue->currentRow();
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].itemId : 0;
}

int ReviewView::queueSize() const {
    return int(m_rows.size());
}

QString ReviewView::className(qint64 classId) const {
    for (const core::ClassInfo &c : m_classes)
        if (c.id == classId)
            return c.name;
    return QString();
}

void ReviewView::loadQueue() {
    m_rows.clear();
    m_queue->setRowCount(0);
    if (!m_project || consolidationId() == 0) {
        m_imageView->setPlaceholder(tr("Run a consolidation to review its least confident labels"));
        m_details->clear();
        return;
    }
    core::ReviewFilter filter;
    filter.order = m_order->currentIndex() == 1 ? core::ReviewFilter::Order::EntropyDescending
                                                : core::ReviewFilter::Order::ConfidenceAscending;
    if (m_classFilter->currentData().isValid())
        filter.classId = m_classFilter->currentData().toLongLong();
    filter.minConfidence = m_minConfidence->value();
    filter.maxConfidence = m_maxConfidence->value();
    filter.disagreementOnly = m_disagreement->isChecked();
    filter.modelDisagreesOnly = m_modelDisagrees->isChecked();
    auto rows = core::reviewQueue(*m_project, consolidationId(), filter);
    if (!rows) {
        Q_EMIT failed(rows.error().message);
        return;
    }
    m_rows = std::move(rows).value();
    m_queue->setRowCount(int(m_rows.size()));
    for (int r = 0; r < int(m_rows.size()); ++r) {
        const core::ReviewRow &row = m_rows[size_t(r)];
        const QString values[kColumns] = {
            QFileInfo(row.path).fileName(),          className(row.classId),
            QString::number(row.confidence, 'f', 3), QString::number(row.answers),
            QString::number(row.entropy, 'f', 2),    row.decision};
        for (int c = 0; c < kColumns; ++c)
            m_queue->setItem(r, c, new QTableWidgetItem(values[c]));
    }
    if (!m_rows.empty())
        m_queue->setCurrentCell(0, 0);
}

void ReviewView::showCurrent() {
    const int row = m_queue->currentRow();
    if (!m_project || row < 0 || row >= int(m_rows.size()))
        return;
    const core::ReviewRow &item = m_rows[size_t(row)];
    m_image.setFuture(loadItemImage(m_project, item.itemId, item.path, 2048));
    showDetails();
}

void ReviewView::showDetails() {
    const int row = m_queue->currentRow();
    if (!m_project || row < 0 || row >= int(m_rows.size()))
        return;
    const core::ReviewRow &item = m_rows[size_t(row)];
    QString html = tr("<p><b>%1</b> with confidence <b>%2</b> from %3 answer(s)</p><table>")
                       .arg(className(item.classId).toHtmlEscaped())
                       .arg(item.confidence, 0, 'f', 3)
                       .arg(item.answers);
    if (const auto answers = core::itemAnswers(*m_project, item.itemId, consolidationId())) {
        for (const core::ItemAnswer &a : *answers)
            html +=
                tr("<tr><td>%1</td><td>&nbsp;says <b>%2</b></td><td>&nbsp;(estimated accuracy "
                   "%3)</td></tr>")
                    .arg(a.annotator.toHtmlEscaped(), a.className.toHtmlEscaped(),
                         a.annotatorAccuracy < 0 ? tr("unknown")
                                                 : QString::number(a.annotatorAccuracy, 'f', 2));
    }
    html += QStringLiteral("</table>");
    if (const auto others = core::otherOpinions(*m_project, item.itemId, consolidationId());
        others && !others->empty()) {
        html += tr("<p>Other methods: ");
        QStringList parts;
        for (const core::OtherOpinion &o : *others)
            parts << tr("%1 says <b>%2</b> (%3)")
                         .arg(o.method, o.className.toHtmlEscaped())
                         .arg(o.confidence, 0, 'f', 2);
        html += parts.join(QStringLiteral(" · ")) + QStringLiteral("</p>");
    }
    if (const auto model = core::modelSuggestion(*m_project, item.itemId);
        model && !model->isEmpty())
        html += tr("<p>The %1</p>").arg(model->toHtmlEscaped());
    if (!item.decision.isEmpty())
        html += tr("<p>Reviewed: %1</p>").arg(item.decision);
    m_details->setText(html);
}

void ReviewView::decide(core::ReviewDecision decision, std::optional<qint64> classId) {
    const int row = m_queue->currentRow();
    if (!m_project || row < 0 || row >= int(m_rows.size()))
        return;
    if (m_reviewerId <= 0) {
        Q_EMIT failed(tr("Choose who is reviewing first (Labeling > Switch Annotator)"));
        return;
    }
    core::ReviewRow &item = m_rows[size_t(row)];
    const auto saved = core::recordReview(*m_project, item.itemId, m_reviewerId, decision, classId,
                                          m_note->text(), consolidationId());
    if (!saved) {
        Q_EMIT failed(saved.error().message);
        return;
    }
    item.decision = core::reviewDecisionName(decision);
    m_queue->item(row, kDecision)
        ->setText(decision == core::ReviewDecision::Override
                      ? tr("override: %1").arg(className(*classId))
                      : item.decision);
    m_note->clear();
    Q_EMIT decided(item.itemId, item.decision);
    if (row + 1 < int(m_rows.size()))
        m_queue->setCurrentCell(row + 1, 0);
}

void ReviewView::setMethod(const QString &method) {
    if (m_method->findText(method) >= 0)
        m_method->setCurrentText(method);
}

bool ReviewView::handleKey(QKeyEvent *event) {
    const int key = event->key();
    if (event->modifiers() & (Qt::ControlModifier | Qt::AltModifier))
        return false;
    if (key == Qt::Key_Return || key == Qt::Key_Enter) {
        decide(core::ReviewDecision::Accept, std::nullopt);
        return true;
    }
    if (key == Qt::Key_M) {
        decide(core::ReviewDecision::More, std::nullopt);
        return true;
    }
    const QString text = event->text().toLower();
    for (const core::ClassInfo &c : m_classes) {
        if (!c.shortcut.isEmpty() && c.shortcut == text) {
            decide(core::ReviewDecision::Override, c.id);
            return true;
        }
    }
    return false;
}

bool ReviewView::eventFilter(QObject *watched, QEvent *event) {
    if (event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (watched == m_note) {
            if (key->key() == Qt::Key_Escape || key->key() == Qt::Key_Return ||
                key->key() == Qt::Key_Enter) {
                m_queue->setFocus();
                return true;
            }
            return false;
        }
        if (watched == m_queue && handleKey(key))
            return true;
    }
    return QWidget::eventFilter(watched, event);
}

void ReviewView::keyPressEvent(QKeyEvent *event) {
    if (!handleKey(event))
        QWidget::keyPressEvent(event);
}

} // namespace winnow::ui
