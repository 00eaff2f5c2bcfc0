import CondenseCore
import Foundation

/// Reads the two folder layouts: `DIR/{train,val,test}/<class>/…` (the user's splits; `val` optional) and
/// `DIR/<class>/…`. Class names are the class folders' names in sorted order; files are found at any depth below
/// a class folder (DICOM exports nest series folders), hidden files and folders are skipped, and files that are not
/// PNG, JPEG or DICOM are ignored and counted.
enum ClassFolders {
    static func catalog(_ root: String) throws -> ImageCatalog {
        let splitFolders = ImageCatalog.SplitName.allCases.filter { isFolder(join(root, $0.rawValue)) }
        if splitFolders.contains(.train) || splitFolders.contains(.test) {
            guard splitFolders.contains(.train), splitFolders.contains(.test) else {
                throw CondenseError.file(path: root, "has a \(splitFolders.contains(.train) ? "train" : "test") folder but " +
                                                     "no \(splitFolders.contains(.train) ? "test" : "train") folder; a " +
                                                     "split layout needs train/ and test/ (val/ is optional)")
            }
            return try splitCatalog(root, splits: splitFolders)
        }
        var ignored: [String] = []
        let classes = try classFolders(root, ignoring: &ignored, prefix: "")
        var entries: [ImageCatalog.Entry] = []
        for (label, name) in classes.enumerated() {
            entries += try images(in: root, classFolder: name, label: label, split: nil, ignoring: &ignored)
        }
        try checkClassCount(classes, root: root)
        return ImageCatalog(source: root, classNames: classes, entries: entries, ignored: ignored)
    }

    /// `train/`, `test/` and optionally `val/`, each holding class folders; the classes are the training split's,
    /// and a class folder in `val/` or `test/` that `train/` lacks is an error.
    private static func splitCatalog(_ root: String, splits: [ImageCatalog.SplitName]) throws -> ImageCatalog {
        var ignored: [String] = []
        let classes = try classFolders(join(root, "train"), ignoring: &ignored, prefix: "train/")
        try checkClassCount(classes, root: join(root, "train"))
        var entries: [ImageCatalog.Entry] = []
        for split in splits {
            let folder = join(root, split.rawValue)
            let present = split == .train ? classes : try classFolders(folder, ignoring: &ignored, prefix: "\(split)/")
            for name in present {
                guard let label = classes.firstIndex(of: name) else {
                    throw CondenseError.file(path: join(folder, name), "class '\(name)' is not in the class list taken " +
                                             "from train/ (\(classes.joined(separator: ", "))); add it to train/ or " +
                                             "remove it")
                }
                entries += try images(in: folder, classFolder: name, label: label, split: split, ignoring: &ignored,
                                      prefix: "\(split)/")
            }
        }
        return ImageCatalog(source: root, classNames: classes, entries: entries, ignored: ignored)
    }

    /// The sorted names of the visible sub-folders of `folder`; its plain files are ignored and counted.
    private static func classFolders(_ folder: String, ignoring ignored: inout [String], prefix: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw CondenseError.file(path: folder, "cannot list the folder (\(error.localizedDescription))")
        }
        var classes: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            if isFolder(join(folder, name)) { classes.append(name) } else { ignored.append(prefix + name) }
        }
        return classes
    }

    /// The image files below one class folder, sorted by path; an empty class folder is an error.
    private static func images(in folder: String, classFolder: String, label: Int, split: ImageCatalog.SplitName?,
                               ignoring ignored: inout [String], prefix: String = "") throws -> [ImageCatalog.Entry] {
        let classPath = join(folder, classFolder)
        guard let walker = FileManager.default.enumerator(atPath: classPath) else {
            throw CondenseError.file(path: classPath, "cannot list the class folder")
        }
        var entries: [ImageCatalog.Entry] = []
        while let relative = walker.nextObject() as? String {
            let path = join(classPath, relative), name = "\(prefix)\(classFolder)/\(relative)"
            if (relative as NSString).lastPathComponent.hasPrefix(".") {
                if isFolder(path) { walker.skipDescendants() } else { ignored.append(name) }
                continue
            }
            guard !isFolder(path) else { continue }
            if let format = ImageFileFormat.of(path) {
                entries.append(ImageCatalog.Entry(file: ImageFile(path: path, format: format), name: name, label: label,
                                                  split: split))
            } else {
                ignored.append(name)
            }
        }
        guard !entries.isEmpty else {
            throw CondenseError.file(path: classPath, "empty class folder: no PNG, JPEG or DICOM image in it; remove " +
                                                      "the folder or add images")
        }
        return entries.sorted { $0.name < $1.name }
    }

    static func checkClassCount(_ classes: [String], root: String) throws {
        guard classes.count >= 2 else {
            throw CondenseError.file(path: root, classes.isEmpty
                ? "no class folders: expected DIR/<class>/<images> or DIR/{train,val,test}/<class>/<images>"
                : "only one class ('\(classes[0])'); classification needs at least two class folders")
        }
    }

    static func isFolder(_ path: String) -> Bool {
        var folder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
    }

    static func join(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
}
