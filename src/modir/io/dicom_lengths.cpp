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

bool declared_lengths_fit(DcmFileFormat& format, const std::filesystem::path& file) {
  std::error_code ec;
  const std::uintmax_t bytes = std::filesystem::file_size(file, ec);
  if (ec) return false;
  return declared_lengths_fit(*format.getMetaInfo(), bytes) &&
         declared_lengths_fit(*format.getDataset(), bytes);
}

}  // namespace modir::io::detail
