#pragma once

// Internal to the DICOM readers: a check every loaded DICOM object passes before any of its values
// is read. DCMTK parses long values lazily: it records a value's declared length and allocates
// that many bytes only when the value is first read, so a damaged length in a file of a few
// hundred bytes asked for gigabytes (found by fuzzing).

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <cstdint>
#include <filesystem>

namespace modir::io::detail {

/// False when an element of `item`, or of an item inside one of its sequences, declares a value
/// longer than `file_bytes`, the size of the file it was read from: no such value can be real.
bool declared_lengths_fit(DcmItem& item, std::uint64_t file_bytes);

/// The same for a whole file as loaded from `file`: its meta header and its data set. False also
/// when the file's size cannot be read.
bool declared_lengths_fit(DcmFileFormat& format, const std::filesystem::path& file);

/// The problem to report for a file that fails the check.
inline constexpr const char* kDeclaredLengthProblem =
    "an element declares more bytes than the whole file holds";

/// How every modir reader loads a DICOM file: DCMTK's loadFile (or loadFileUntilTag when
/// `stop_after` is given: parsing ends after that element), then the check above. A file that
/// fails the check gives a bad condition whose text is kDeclaredLengthProblem (and
/// is_declared_length_problem says so); nothing of its values may be read then. A new reader
/// loads through here, so that no reader can forget the check.
OFCondition load_dicom(DcmFileFormat& format, const std::filesystem::path& file,
                       Uint32 max_read_length = DCM_MaxReadLength,
                       const DcmTagKey* stop_after = nullptr);

bool is_declared_length_problem(const OFCondition& status);

}  // namespace modir::io::detail
