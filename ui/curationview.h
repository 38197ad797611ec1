#pragma once

#include "core/curation/curation.h"
#include "core/curation/duplicates.h"

#include <QHash>
#include <QWidget>
#include <map>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSlider;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

// Curation at a glance: flag counts, duplicate clusters (previewed live as the distance slider
// moves) or items of any other flag kind, each cluster's images side by side with their split
// and label, and actions that exclude items from training or restore them. Nothing is deleted;
// every action is recorded with who and when.
class Job;

class CurationView final : public QWidget {
    Q_OBJECT
public:
    explicit CurationView(QWidget *parent = nullptr);
    ~CurationView() override;

    void setProject(core::Project *project, qint64 curatorId);
    void reload();
    // Recomputes every flag kind in the background.
    void refreshFlags();
    // A preview of the clusters by perceptual hash alone at this distance.
    void setMaxDistance(int distance);
    // Finds the clusters at the slider's distance, confirmed image by image, and stores them as
    // flags, in the background.
    void saveClusters();
    // Re-splits the project (stratified, clusters kept whole) and refreshes the leak flags.
    bool resplit(double train, double val, double test, unsigned seed);

    int clusterCount() const;
    QListWidget *groups() const { return m_groups; }
    QListWidget *members() const { return m_members; }
    void keepSelectedExcludeRest();
    void excludeSelected();
    void restoreSelected();
    // Gives every image of the shown cluster (or the shown flagged item) one label, recorded as
    // the curator's review; L asks which.
    void labelShownImages(qint64 classId);
    void chooseLabelForShownImages();
    // Near duplicates as a finished run's model sees them, stored as embedding-duplicate flags in
    // the background; the dialog asks for the run and the similarity.
    void findEmbeddingDuplicates(qint64 runId, double minSimilarity);
    void chooseEmbeddingDuplicates();
    // Shows the clusters, or the items, of a flag kind ("duplicates" for the hash clusters).
    void showKind(const QString &kind);
    QString shownKind() const;

Q_SIGNALS:
    void failed(const QString &message);
    void flagsRefreshed();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    // Shows the stored duplicate clusters; false when none are stored.
    bool showStoredClusters();

    struct Item {
        qint64 id = 0;
        QString path;
        QString split;
        qint64 classId = 0;
        core::Fingerprint print;
    };
    void loadItems();
    void updateCounts();
    void showGroups();
    void showMembers();
    void showFlaggedPage(int row);
    void addMembers(const std::vector<const Item *> &shown);
    void setExcluded(const std::vector<qint64> &ids, bool excluded, const QString &reason);
    void chooseSplit();
    std::vector<qint64> selectedIds(bool selected) const;

    core::Project *m_project = nullptr;
    qint64 m_curatorId = 0;
    std::vector<Item> m_items;
    QHash<qint64, QString> m_classNames;
    QHash<qint64, bool> m_excluded;
    core::DuplicateClusters m_clusters;
    std::vector<core::FlagRow> m_flags;
    std::map<int, std::vector<qint64>> m_flagClusters; // for flag kinds that come in clusters
    int m_flagPage = -1; // the page of single-image flags the images show; -1: none
    Job *m_refresh = nullptr;
    QString m_showAfterRefresh; // the flag kind to show when the running job ends

    QLabel *m_counts = nullptr;
    QPushButton *m_refreshButton = nullptr;
    QSlider *m_distance = nullptr;
    QLabel *m_distanceLabel = nullptr;
    QPushButton *m_apply = nullptr;
    QCheckBox *m_mirrors = nullptr;
    QComboBox *m_kind = nullptr;
    QListWidget *m_groups = nullptr;
    QListWidget *m_members = nullptr;
};

} // namespace winnow::ui
