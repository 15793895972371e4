#include "modir/io/csv_table.h"

#include <algorithm>
#include <fstream>

#include "modir/core/error.h"

namespace modir::io {

namespace fs = std::filesystem;

namespace {

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// Splits one line into fields; returns false on an unclosed quote.
bool split_line(const std::string& line, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && trimmed(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == ',') {
      fields.push_back(was_quoted ? field : trimmed(field));
      field.clear();
      was_quoted = false;
    } else if (!(was_quoted && (c == ' ' || c == '\t' || c == '\r'))) {
      field += c;
    }
  }
  fields.push_back(was_quoted ? field : trimmed(field));
  return !quoted;
}

}  // namespace

int CsvTable::column(const std::string& name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : static_cast<int>(it - header.begin());
}

CsvTable read_csv_table(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw data_error("'{}' does not exist or is not a file", file.string());
  std::ifstream stream(file);
  if (!stream) throw data_error("'{}' cannot be opened", file.string());
  CsvTable table;
  table.file = file;
  std::string line;
  int number = 0;
  std::vector<std::string> fields;
  while (std::getline(stream, line)) {
    ++number;
    if (trimmed(line).empty()) continue;
    if (!split_line(line, fields))
      throw data_error("'{}' line {}: a quoted field is not closed", file.string(), number);
    if (table.header.empty()) {
      if (!fields.empty() && fields[0].rfind("\xEF\xBB\xBF", 0) == 0) fields[0].erase(0, 3);
      table.header = fields;
      continue;
    }
    if (fields.size() != table.header.size()) {
      throw data_error("'{}' line {} has {} field(s) but the header has {} ({})", file.string(),
                       number, fields.size(), table.header.size(), line);
    }
    table.rows.push_back(fields);
    table.line_numbers.push_back(number);
  }
  if (table.header.empty())
    throw data_error("'{}' is empty: a header line is needed", file.string());
  return table;
}

void require_columns(const CsvTable& table, const std::vector<std::string>& required,
                     const std::string& what) {
  std::string missing, header;
  for (const std::string& name : required) {
    if (table.column(name) < 0) missing += (missing.empty() ? "" : ", ") + name;
  }
  if (missing.empty()) return;
  for (const std::string& h : table.header) header += (header.empty() ? "" : ",") + h;
  std::string all;
  for (const std::string& name : required) all += (all.empty() ? "" : ",") + name;
  throw data_error("{} '{}' has no column(s) {}: its header is '{}', expected columns {}", what,
                   table.file.string(), missing, header, all);
}

std::string csv_field(const std::string& text) {
  const bool needs_quotes = text.find_first_of(",\"\n") != std::string::npos ||
                            (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!needs_quotes) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace modir::io
