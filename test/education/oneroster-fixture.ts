// A small OneRoster 1.1 CSV set: one district, two schools, a term, two courses, three classes, people in
// every role the importer distinguishes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ONEROSTER_FILES: Record<string, string[]> = {
  'orgs.csv': [
    'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId',
    'org-d,active,2025-08-01T00:00:00Z,Lakeside District,district,LD,',
    'org-1,active,2025-08-01T00:00:00Z,Lakeside High,school,LH-1,org-d',
    'org-2,active,2025-08-01T00:00:00Z,Lakeside Middle,school,LM-2,org-d',
  ],
  'academicSessions.csv': [
    'sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear',
    'term-1,active,2025-08-01T00:00:00Z,Fall 2025,term,2025-09-01,2026-01-31,,2026',
  ],
  'courses.csv': [
    'sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes',
    'crs-alg,active,2025-08-01T00:00:00Z,,Algebra I,ALG1,09,org-1,Mathematics,',
    'crs-bio,active,2025-08-01T00:00:00Z,,Biology,BIO,07,org-2,Science,',
  ],
  'classes.csv': [
    'sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods',
    'cls-1,active,2025-08-01T00:00:00Z,Algebra I - P1,09,crs-alg,ALG1-P1,scheduled,Room 1,org-1,term-1,Mathematics,,1',
    'cls-2,active,2025-08-01T00:00:00Z,Algebra I - P2,09,crs-alg,ALG1-P2,scheduled,Room 1,org-1,term-1,Mathematics,,2',
    'cls-3,active,2025-08-01T00:00:00Z,Biology - P1,07,crs-bio,BIO-P1,scheduled,Lab,org-2,term-1,Science,,1',
  ],
  'users.csv': [
    'sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password',
    'u-t1,active,2025-08-01T00:00:00Z,true,org-1,teacher,ms.rivera@example.com,,Maria,Rivera,,T100,ms.rivera@example.com,,,,,',
    'u-t2,active,2025-08-01T00:00:00Z,true,"org-1,org-2",teacher,mr.okafor,,Chidi,Okafor,,T200,,,,,,',
    'u-s1,active,2025-08-01T00:00:00Z,true,org-1,student,amy.lin,,Amy,Lin,J,S001,,,,,09,',
    'u-s2,active,2025-08-01T00:00:00Z,true,org-1,student,bo.jensen,,Bo,Jensen,,S002,,,,,09,',
    'u-s3,active,2025-08-01T00:00:00Z,false,org-2,student,cy.park,,Cy,Park,,S003,,,,,07,',
    'u-a1,active,2025-08-01T00:00:00Z,true,org-d,administrator,dana.admin,,Dana,Admin,,A1,,,,,,',
    'u-p1,active,2025-08-01T00:00:00Z,true,org-1,parent,pat.lin.parent,,Pat,Lin,,,,,,,,',
  ],
  'enrollments.csv': [
    'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate',
    'e-1,active,2025-08-01T00:00:00Z,cls-1,org-1,u-t1,teacher,true,,',
    'e-2,active,2025-08-01T00:00:00Z,cls-2,org-1,u-t1,teacher,true,,',
    'e-3,active,2025-08-01T00:00:00Z,cls-3,org-2,u-t2,teacher,true,,',
    'e-4,active,2025-08-01T00:00:00Z,cls-1,org-1,u-s1,student,false,,',
    'e-5,active,2025-08-01T00:00:00Z,cls-1,org-1,u-s2,student,false,,',
    'e-6,active,2025-08-01T00:00:00Z,cls-2,org-1,u-s2,student,false,,',
    'e-7,active,2025-08-01T00:00:00Z,cls-3,org-2,u-s3,student,false,,',
    'e-8,tobedeleted,2025-08-01T00:00:00Z,cls-3,org-2,u-s1,student,false,,',
  ],
};

export function writeOneRosterFixture(folder: string, edit: (files: Record<string, string[]>) => void = () => {}) {
  const files = structuredClone(ONEROSTER_FILES);
  edit(files);
  mkdirSync(folder, { recursive: true });
  for (const [name, lines] of Object.entries(files)) writeFileSync(join(folder, name), lines.join('\n') + '\n');
}
