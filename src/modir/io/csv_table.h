#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace modir::io {

/// A comma-separated table with a header line, as manifests and split files are written: fields
/// may be quoted ("a, b" and "say ""hi""" work), blank lines are skipped, spaces around fields
/// and a trailing carriage return are trimmed.
struct CsvTable {
  std::filesystem::path file;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> line_numbers;  ///< 1-based line of each row in the file, for messages

  /// The index of a column, or -1.
  int column(const std::string& name) const;
};

/// Reads a table; a missing file, an empty file or a row with another number of fields than the
/// header is a data error naming the file and line.
CsvTable read_csv_table(const std::filesystem::path& file);

/// Throws a data error naming the file, the missing columns and the header found, unless every
/// name in `required` is a column.
void require_columns(const CsvTable& table, const std::vector<std::string>& required,
                     const std::string& what);

/// A field quoted for CSV when it holds a comma, a quote or spaces at its ends.
std::string csv_field(const std::string& text);

}  // namespace modir::io
