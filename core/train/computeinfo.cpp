#include "core/train/computeinfo.h"

#include "core/store/database.h"

#include <opencv2/core/version.hpp>
#include <torch/torch.h>
#include <torch/version.h>

namespace winnow::core {

QString libraryVersions() {
    return QStringLiteral("Qt %1, OpenCV %2, SQLite %3, libpq %4")
        .arg(QString::fromLatin1(qVersion()), QStringLiteral(CV_VERSION), Database::sqliteVersion(),
             Database::postgresClientVersion());
}

QString computeSummary() {
    const bool cuda = torch::cuda::is_available();
    return QStringLiteral("LibTorch %1, device %2, %3 threads, MKL-DNN %4")
        .arg(QString::fromLatin1(TORCH_VERSION))
        .arg(cuda ? QStringLiteral("CUDA (%1 GPUs)").arg(torch::cuda::device_count())
                  : QStringLiteral("CPU"))
        .arg(at::get_num_threads())
        .arg(at::hasMKLDNN() ? QStringLiteral("yes") : QStringLiteral("no"));
}

} // namespace winnow::core
