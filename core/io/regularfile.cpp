#include "core/io/regularfile.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace winnow::core {

Result<QByteArray> readRegularFile(const QString &path, qint64 maxBytes) {
    // Non-blocking, so that opening a FIFO with no writer returns at once.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return Error{
            QStringLiteral("cannot read: %1").arg(QString::fromLocal8Bit(std::strerror(errno)))};
    struct stat status {};
    if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
        ::close(fd);
        return Error{QStringLiteral("not a regular file (a device, FIFO or socket is never read)")};
    }
    if (status.st_size > maxBytes) {
        ::close(fd);
        return Error{QStringLiteral("file too large (%1 bytes)").arg(qint64(status.st_size))};
    }
    QFile file;
    if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return Error{QStringLiteral("cannot read: %1").arg(file.errorString())};
    }
    QByteArray bytes = file.readAll(); // sized by the file, not by the limit
    if (bytes.size() > maxBytes)       // it grew since fstat
        return Error{QStringLiteral("file too large (over %1 bytes)").arg(maxBytes)};
    return bytes;
}

Result<void> requireRegularFile(const QString &path) {
    struct stat status {};
    if (::stat(QFile::encodeName(path).constData(), &status) != 0)
        return Error{
            QStringLiteral("cannot read: %1").arg(QString::fromLocal8Bit(std::strerror(errno)))};
    if (!S_ISREG(status.st_mode))
        return Error{QStringLiteral("not a regular file (a device, FIFO or socket is never read)")};
    return {};
}

namespace {

// "a FIFO", "a socket", "a device", or empty for anything else (without following a link).
QString specialFileKind(const QString &path) {
    struct stat status {};
    if (::lstat(QFile::encodeName(path).constData(), &status) != 0)
        return {};
    if (S_ISFIFO(status.st_mode))
        return QStringLiteral("a FIFO");
    if (S_ISSOCK(status.st_mode))
        return QStringLiteral("a socket");
    if (S_ISCHR(status.st_mode) || S_ISBLK(status.st_mode))
        return QStringLiteral("a device");
    return {};
}

} // namespace

FolderListing listFolderFiles(const QString &root, bool followLinksOutside,
                              const std::function<bool()> &cancelled) {
    FolderListing listing;
    const QString inside = QDir(root).canonicalPath() + u'/';
    // Folders, devices, FIFOs and sockets are listed too, to be named in the report: a link to a
    // folder is never walked (so a loop cannot trap the listing) and a special file never read.
    QDirIterator it(root, QDir::Files | QDir::Dirs | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        if (cancelled && cancelled())
            break;
        const QFileInfo info = it.fileInfo();
        if (info.isDir()) {
            if (info.isSymLink())
                listing.refused.emplace_back(
                    file, QStringLiteral("a link to the folder %1: links to folders are not "
                                         "followed")
                              .arg(info.symLinkTarget()));
            continue;
        }
        if (!info.isSymLink()) {
            if (const QString kind = specialFileKind(file); !kind.isEmpty()) {
                listing.refused.emplace_back(
                    file, QStringLiteral("not a regular file (%1): never read").arg(kind));
                continue;
            }
        }
        if (info.isSymLink() && !followLinksOutside) {
            const QString target = info.canonicalFilePath();
            if (target.isEmpty()) {
                listing.refused.emplace_back(
                    file,
                    QStringLiteral("a link to %1, which does not exist").arg(info.symLinkTarget()));
                continue;
            }
            if (!target.startsWith(inside)) {
                listing.refused.emplace_back(
                    file, QStringLiteral("a link to %1, outside the folder: not read unless asked "
                                         "(--follow-links)")
                              .arg(target));
                continue;
            }
        }
        listing.files.append(file);
    }
    std::sort(listing.files.begin(), listing.files.end());
    return listing;
}

} // namespace winnow::core
