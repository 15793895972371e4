#include "modir/io/dicom_lengths.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>

namespace modir::io::detail {

bool declared_lengths_fit(DcmItem& item, std::uint64_t file_bytes) {
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* element = item.getElement(i);
    if (element == nullptr) continue;
    if (element->ident() == EVR_SQ) {
      auto* sequence = static_cast<DcmSequenceOfItems*>(element);
      for (unsigned long k = 0; k < sequence->card(); ++k) {
        DcmItem* inner = sequence->getItem(k);
        if (inner != nullptr && !declared_lengths_fit(*inner, file_bytes)) return false;
      }
      continue;
    }
    // The length as the file declares it: getLength() would load the value to measure it,
    // which is the allocation this check is for. An undefined length (encapsulated pixel data)
    // is not a size.
    const Uint32 declared = element->getLengthField();
    if (declared != DCM_UndefinedLength && declared > file_bytes) return false;
  }
  return true;
}

namespace {
// A code of modir's own within DCMTK's dcmdata module, for the length problem.
constexpr unsigned short kDeclaredLengthCode = 0x0F1D;
}  // namespace

OFCondition load_dicom(DcmFileFormat& format, const std::filesystem::path& file,
                       Uint32 max_read_length, const DcmTagKey* stop_after) {
  const OFCondition status =
      stop_after ? format.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange,
                                           max_read_length, ERM_autoDetect, *stop_after)
                 : format.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, max_read_length);
  // Checked even after a failed load: what was parsed may still be looked at by the caller.
  if (!declared_lengths_fit(format, file))
    return OFCondition(OFM_dcmdata, kDeclaredLengthCode, OF_error, kDeclaredLengthProblem);
  return status;
}

bool is_declared_length_problem(const OFCondition& status) {
  return status.bad() && status.module() == OFM_dcmdata && status.code() == kDeclaredLengthCode;
}

bool declared_lengths_fit(DcmFileFormat& format, const std::filesystem::path& file) {
  std::error_code ec;
  const std::uintmax_t bytes = std::filesystem::file_size(file, ec);
  if (ec) return false;
  return declared_lengths_fit(*format.getMetaInfo(), bytes) &&
         declared_lengths_fit(*format.getDataset(), bytes);
}

}  // namespace modir::io::detail
