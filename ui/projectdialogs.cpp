#include "ui/projectdialogs.h"

#include "core/store/project.h"

#include <QColorDialog>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace winnow::ui {
namespace {

enum ClassColumn { kName, kKey, kColor };

void fillClasses(core::Project &project, QTableWidget *table) {
    const QSignalBlocker block(table);
    table->setRowCount(0);
    const auto classes = project.classes();
    if (!classes)
        return;
    for (const core::ClassInfo &info : *classes) {
        const int row = table->rowCount();
        table->insertRow(row);
        auto *name = new QTableWidgetItem(info.name);
        name->setData(Qt::UserRole, info.id);
        table->setItem(row, kName, name);
        table->setItem(row, kKey, new QTableWidgetItem(info.shortcut.toUpper()));
        auto *color = new QTableWidgetItem(info.color);
        color->setBackground(QColor(info.color));
        color->setFlags(color->flags() & ~Qt::ItemIsEditable);
        color->setToolTip(QObject::tr("Double-click to choose a colour"));
        table->setItem(row, kColor, color);
    }
}

} // namespace

void manageClasses(core::Project &project, QWidget *parent) {
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Classes"));
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(
        new QLabel(QObject::tr("Edit a name or a key in place; each key labels one class.")));
    auto *table = new QTableWidget(0, 3);
    table->setHorizontalHeaderLabels(
        {QObject::tr("Name"), QObject::tr("Key"), QObject::tr("Colour")});
    table->horizontalHeader()->setSectionResizeMode(kName, QHeaderView::Stretch);
    table->verticalHeader()->hide();
    layout->addWidget(table);
    fillClasses(project, table);

    QObject::connect(table, &QTableWidget::itemChanged, &dialog, [&](QTableWidgetItem *item) {
        const qint64 id = table->item(item->row(), kName)->data(Qt::UserRole).toLongLong();
        const auto done = item->column() == kName ? project.renameClass(id, item->text())
                                                  : project.setClassShortcut(id, item->text());
        if (!done)
            QMessageBox::warning(&dialog, QObject::tr("Not changed"), done.error().message);
        fillClasses(project, table);
    });
    QObject::connect(table, &QTableWidget::cellDoubleClicked, &dialog, [&](int row, int column) {
        if (column != kColor)
            return;
        const QColor color =
            QColorDialog::getColor(QColor(table->item(row, kColor)->text()), &dialog);
        if (color.isValid()) {
            const auto done = project.setClassColor(
                table->item(row, kName)->data(Qt::UserRole).toLongLong(), color.name());
            if (!done)
                QMessageBox::warning(&dialog, QObject::tr("Not changed"), done.error().message);
        }
        fillClasses(project, table);
    });

    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(QObject::tr("Add…"));
    auto *retire = new QPushButton(QObject::tr("Retire"));
    retire->setToolTip(QObject::tr("Hide the class from labeling; its answers are kept"));
    buttons->addWidget(add);
    buttons->addWidget(retire);
    buttons->addStretch();
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addWidget(close);
    layout->addLayout(buttons);
    QObject::connect(close, &QDialogButtonBox::rejected, &dialog, &QDialog::accept);
    QObject::connect(add, &QPushButton::clicked, &dialog, [&] {
        const QString name =
            QInputDialog::getText(&dialog, QObject::tr("New class"), QObject::tr("Name"));
        if (name.trimmed().isEmpty())
            return;
        // A name already taken is said so, not silently ignored.
        if (const auto classes = project.classes()) {
            for (const core::ClassInfo &c : *classes) {
                if (c.name == name.trimmed()) {
                    QMessageBox::information(
                        &dialog, QObject::tr("Not added"),
                        QObject::tr("There is a class '%1' already (key %2).")
                            .arg(c.name, c.shortcut.isEmpty() ? QObject::tr("none") : c.shortcut));
                    return;
                }
            }
        }
        if (const auto created = project.ensureClass(name); !created)
            QMessageBox::warning(&dialog, QObject::tr("Not added"), created.error().message);
        fillClasses(project, table);
    });
    QObject::connect(retire, &QPushButton::clicked, &dialog, [&] {
        const int row = table->currentRow();
        if (row < 0)
            return;
        const QString name = table->item(row, kName)->text();
        if (QMessageBox::question(
                &dialog, QObject::tr("Retire class"),
                QObject::tr("Retire '%1'? Its answers stay in the project.").arg(name)) !=
            QMessageBox::Yes)
            return;
        if (const auto done =
                project.retireClass(table->item(row, kName)->data(Qt::UserRole).toLongLong());
            !done)
            QMessageBox::warning(&dialog, QObject::tr("Not retired"), done.error().message);
        fillClasses(project, table);
    });
    dialog.resize(460, 420);
    dialog.exec();
}

void manageAnnotators(core::Project &project, QWidget *parent) {
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Annotators"));
    auto *layout = new QVBoxLayout(&dialog);
    auto *table = new QTableWidget(0, 2);
    table->setHorizontalHeaderLabels({QObject::tr("Name"), QObject::tr("Kind")});
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table->verticalHeader()->hide();
    layout->addWidget(table);
    auto fill = [&] {
        const QSignalBlocker block(table);
        table->setRowCount(0);
        if (const auto annotators = project.annotators()) {
            for (const core::AnnotatorInfo &info : *annotators) {
                const int row = table->rowCount();
                table->insertRow(row);
                auto *name = new QTableWidgetItem(info.name);
                name->setData(Qt::UserRole, info.id);
                table->setItem(row, 0, name);
                auto *kind = new QTableWidgetItem(info.kind);
                kind->setFlags(kind->flags() & ~Qt::ItemIsEditable);
                table->setItem(row, 1, kind);
            }
        }
    };
    fill();
    QObject::connect(table, &QTableWidget::itemChanged, &dialog, [&](QTableWidgetItem *item) {
        if (const auto done =
                project.renameAnnotator(item->data(Qt::UserRole).toLongLong(), item->text());
            !done)
            QMessageBox::warning(&dialog, QObject::tr("Not renamed"), done.error().message);
        fill();
    });
    auto *buttons = new QHBoxLayout;
    auto *retire = new QPushButton(QObject::tr("Retire"));
    retire->setToolTip(
        QObject::tr("Remove from the list of people labeling; their answers are kept"));
    buttons->addWidget(retire);
    buttons->addStretch();
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addWidget(close);
    layout->addLayout(buttons);
    QObject::connect(close, &QDialogButtonBox::rejected, &dialog, &QDialog::accept);
    QObject::connect(retire, &QPushButton::clicked, &dialog, [&] {
        const int row = table->currentRow();
        if (row < 0)
            return;
        if (const auto done =
                project.retireAnnotator(table->item(row, 0)->data(Qt::UserRole).toLongLong());
            !done)
            QMessageBox::warning(&dialog, QObject::tr("Not retired"), done.error().message);
        fill();
    });
    dialog.resize(420, 380);
    dialog.exec();
}

std::optional<QString> askAnnotator(core::Project &project, const QString &suggestion,
                                    QWidget *parent) {
    QStringList names;
    if (const auto annotators = project.annotators()) {
        for (const core::AnnotatorInfo &info : *annotators)
            if (info.kind == QLatin1String("human"))
                names << info.name;
    }
    int current = std::max<qsizetype>(0, names.indexOf(suggestion));
    if (names.isEmpty() && !suggestion.isEmpty())
        names << suggestion;
    bool ok = false;
    const QString name = QInputDialog::getItem(
        parent, QObject::tr("Who is labeling?"),
        QObject::tr("Your name (answers are recorded under it):"), names, current, true, &ok);
    if (!ok)
        return std::nullopt;
    return name.trimmed();
}

} // namespace winnow::ui
